using MusicLocker.Storage.FileSystem;
using MusicLocker.Testing;

namespace MusicLocker.Storage.Tests;

/// <summary>
/// The file-system store's multipart layout (parts in regions of one data file, completion a rename when they lie end
/// to end) under hostile and concurrent callers: re-sends racing completion, stale ETags, aborts mid-write, parts of
/// unknown length, out-of-order parts, and two processes writing one upload.
/// </summary>
public sealed class FileSystemMultipartTests : IDisposable
{
    private const int PartLength = 64 * 1024;
    private readonly TempFolder _folder = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Parts_sent_in_order_complete_by_renaming_the_data_file()
    {
        using var store = new FileSystemBlobStore(_folder.Path);
        var upload = await store.StartMultipartUploadAsync(BlobKey.Parse("a/in-order"), new PutBlobOptions { ContentType = "audio/mpeg", Metadata = new Dictionary<string, string> { ["m"] = "v" } }, Ct);
        var bodies = new[] { TestData.Bytes(PartLength, 1), TestData.Bytes(PartLength, 2), TestData.Bytes(1000, 3) };
        var parts = new List<UploadedPart>();
        for (int i = 0; i < bodies.Length; i++)
        {
            parts.Add(await store.UploadPartAsync(upload, i + 1, new MemoryStream(bodies[i]), Ct));
        }

        string data = Path.Combine(_folder.Path, "uploads", upload.UploadId, "data");
        long before = new FileInfo(data).Length;
        var properties = await store.CompleteMultipartUploadAsync(upload, parts, Ct);

        // The blob file is the data file, renamed: the same size on disk, header in its reserved room, no copy.
        string blob = Directory.GetFiles(Path.Combine(_folder.Path, "blobs"), "in-order.blob", SearchOption.AllDirectories).Single();
        Assert.Equal(before, new FileInfo(blob).Length);
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(_folder.Path, "uploads")));
        Assert.Equal(Concat(bodies), await store.ReadAllBytesAsync(upload.Key, cancellationToken: Ct));
        var read = await store.GetPropertiesAsync(upload.Key, Ct);
        Assert.Equal(properties.ETag, read.ETag);
        Assert.Equal("audio/mpeg", read.ContentType);
        Assert.Equal("v", read.Metadata["m"]);
        Assert.Equal(Concat(bodies).Length, read.Length);
    }

    [Fact]
    public async Task Parts_of_known_length_create_no_file_per_part()
    {
        using var store = new FileSystemBlobStore(_folder.Path);
        var upload = await store.StartMultipartUploadAsync(BlobKey.Parse("a/no-files"), null, Ct);
        string folder = Path.Combine(_folder.Path, "uploads", upload.UploadId);
        var before = Directory.GetFileSystemEntries(folder).Select(p => Path.GetFileName(p)).Order().ToArray();

        for (int i = 1; i <= 12; i++)
        {
            await store.UploadPartAsync(upload, i, new MemoryStream(TestData.Bytes(PartLength, i)), Ct);
        }

        await store.UploadPartAsync(upload, 3, new MemoryStream(TestData.Bytes(PartLength, 33)), Ct); // a re-send
        Assert.Equal(["data", "entries", "manifest.json"], before);
        Assert.Equal(before, Directory.GetFileSystemEntries(folder).Select(p => Path.GetFileName(p)).Order().ToArray());
        Assert.Equal(Enumerable.Range(1, 12), (await store.ListPartsAsync(upload, Ct)).Select(p => p.PartNumber));
    }

    [Fact]
    public async Task A_damaged_entry_slot_names_no_part_and_completion_refuses_it_until_the_part_is_sent_again()
    {
        using var store = new FileSystemBlobStore(_folder.Path);
        var upload = await store.StartMultipartUploadAsync(BlobKey.Parse("a/damaged-entry"), null, Ct);
        var p1 = await store.UploadPartAsync(upload, 1, new MemoryStream(TestData.Bytes(PartLength, 1)), Ct);
        var p2 = await store.UploadPartAsync(upload, 2, new MemoryStream(TestData.Bytes(100, 2)), Ct);
        string entries = Path.Combine(_folder.Path, "uploads", upload.UploadId, "entries");
        var bytes = await File.ReadAllBytesAsync(entries, Ct);
        bytes[256 + 10] ^= 0x20; // inside part 2's JSON: its checksum no longer matches (as after a torn write)
        await File.WriteAllBytesAsync(entries, bytes, Ct);

        Assert.Equal([1], (await store.ListPartsAsync(upload, Ct)).Select(p => p.PartNumber));
        var refused = await Assert.ThrowsAsync<BlobStoreException>(() => store.CompleteMultipartUploadAsync(upload, [p1, p2], Ct));
        Assert.Equal(BlobErrorCode.InvalidPart, refused.ErrorCode);

        var again = await store.UploadPartAsync(upload, 2, new MemoryStream(TestData.Bytes(100, 2)), Ct);
        await store.CompleteMultipartUploadAsync(upload, [p1, again], Ct);
        Assert.Equal(Concat([TestData.Bytes(PartLength, 1), TestData.Bytes(100, 2)]), await store.ReadAllBytesAsync(upload.Key, cancellationToken: Ct));
    }

    [Fact]
    public async Task Concurrent_sends_of_one_part_number_and_listings_between_them_always_see_one_whole_entry()
    {
        using var store = new FileSystemBlobStore(_folder.Path);
        var upload = await store.StartMultipartUploadAsync(BlobKey.Parse("a/racing-entries"), null, Ct);
        using var stop = new CancellationTokenSource();
        var listings = Task.Run(async () =>
        {
            int seen = 0;
            while (!stop.IsCancellationRequested)
            {
                foreach (var part in await store.ListPartsAsync(upload, Ct))
                {
                    Assert.Equal(2, part.PartNumber);
                    Assert.Equal(PartLength, part.Length);
                    seen++;
                }
            }

            return seen;
        }, Ct);

        var sends = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => Task.Run(() => store.UploadPartAsync(upload, 2, new MemoryStream(TestData.Bytes(PartLength, i)), Ct), Ct)));
        await stop.CancelAsync();
        await listings;

        var listed = Assert.Single(await store.ListPartsAsync(upload, Ct));
        var winner = Assert.Single(sends, p => p.ETag == listed.ETag);
        int body = Array.IndexOf(sends, winner);
        await store.CompleteMultipartUploadAsync(upload, [listed], Ct);
        Assert.Equal(TestData.Bytes(PartLength, body), await store.ReadAllBytesAsync(upload.Key, cancellationToken: Ct));
    }

    [Fact]
    public async Task Parts_sent_out_of_order_re_sent_or_of_unknown_length_are_joined_by_a_copy()
    {
        using var store = new FileSystemBlobStore(_folder.Path);
        var upload = await store.StartMultipartUploadAsync(BlobKey.Parse("mixed"), null, Ct);
        var p3 = await store.UploadPartAsync(upload, 3, new MemoryStream(TestData.Bytes(500, 3)), Ct);
        await store.UploadPartAsync(upload, 1, new MemoryStream(TestData.Bytes(PartLength, 9)), Ct);
        var p1 = await store.UploadPartAsync(upload, 1, new MemoryStream(TestData.Bytes(PartLength, 1)), Ct);
        var p2 = await store.UploadPartAsync(upload, 2, new GatedStream(TestData.Bytes(PartLength, 2), seekable: false), Ct);

        Assert.Equal([(1, PartLength), (2, PartLength), (3, 500)], (await store.ListPartsAsync(upload, Ct)).Select(p => (p.PartNumber, (int)p.Length)));
        await store.CompleteMultipartUploadAsync(upload, [p1, p2, p3], Ct);
        Assert.Equal(Concat([TestData.Bytes(PartLength, 1), TestData.Bytes(PartLength, 2), TestData.Bytes(500, 3)]), await store.ReadAllBytesAsync(upload.Key, cancellationToken: Ct));
    }

    [Fact]
    public async Task Completing_with_a_stale_part_etag_is_refused_and_the_upload_still_completes_with_the_fresh_one()
    {
        using var store = new FileSystemBlobStore(_folder.Path);
        var upload = await store.StartMultipartUploadAsync(BlobKey.Parse("stale"), null, Ct);
        var stale = await store.UploadPartAsync(upload, 1, new MemoryStream(TestData.Bytes(PartLength, 1)), Ct);
        var fresh = await store.UploadPartAsync(upload, 1, new MemoryStream(TestData.Bytes(PartLength, 2)), Ct);

        var ex = await Assert.ThrowsAsync<BlobStoreException>(() => store.CompleteMultipartUploadAsync(upload, [stale], Ct));
        Assert.Equal(BlobErrorCode.InvalidPart, ex.ErrorCode);
        Assert.False(await store.ExistsAsync(upload.Key, Ct));

        await store.CompleteMultipartUploadAsync(upload, [fresh], Ct);
        Assert.Equal(TestData.Bytes(PartLength, 2), await store.ReadAllBytesAsync(upload.Key, cancellationToken: Ct));
    }

    [Fact]
    public async Task A_completion_listing_fewer_parts_than_were_sent_cuts_the_rest()
    {
        using var store = new FileSystemBlobStore(_folder.Path);
        var upload = await store.StartMultipartUploadAsync(BlobKey.Parse("fewer"), null, Ct);
        var p1 = await store.UploadPartAsync(upload, 1, new MemoryStream(TestData.Bytes(PartLength, 1)), Ct);
        await store.UploadPartAsync(upload, 2, new MemoryStream(TestData.Bytes(PartLength, 2)), Ct);

        var properties = await store.CompleteMultipartUploadAsync(upload, [p1], Ct);
        Assert.Equal(PartLength, properties.Length);
        Assert.Equal(TestData.Bytes(PartLength, 1), await store.ReadAllBytesAsync(upload.Key, cancellationToken: Ct));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_part_re_sent_while_completion_runs_either_misses_it_or_makes_it_refuse_the_stale_etag(bool seekable)
    {
        using var store = new FileSystemBlobStore(_folder.Path);
        for (int round = 0; round < 10; round++)
        {
            var upload = await store.StartMultipartUploadAsync(BlobKey.Parse($"race/{seekable}/{round}"), null, Ct);
            var first = TestData.Bytes(PartLength, 1);
            var second = TestData.Bytes(PartLength, 2);
            var p1 = await store.UploadPartAsync(upload, 1, new MemoryStream(first), Ct);

            var gate = new GatedStream(second, seekable, gateAt: PartLength / 2);
            var resend = Task.Run(() => store.UploadPartAsync(upload, 1, gate, Ct), Ct);
            await gate.Reached.WaitAsync(Ct);
            var completing = Task.Run(() => store.CompleteMultipartUploadAsync(upload, [p1], Ct), Ct);
            gate.Release();

            var (resent, resendError) = await Outcome(resend);
            var (completed, completeError) = await Outcome(completing);
            if (completed is not null)
            {
                // Completion ran after the re-send's entry, or before: it can only have published the part it was given.
                Assert.Null(resent);
                Assert.Equal(BlobErrorCode.UploadNotFound, Assert.IsAssignableFrom<BlobStoreException>(resendError).ErrorCode);
                Assert.Equal(first, await store.ReadAllBytesAsync(upload.Key, cancellationToken: Ct));
                continue;
            }

            // The re-send got in first: completion with the earlier ETag is refused, and the new part completes whole.
            Assert.Equal(BlobErrorCode.InvalidPart, Assert.IsAssignableFrom<BlobStoreException>(completeError).ErrorCode);
            Assert.NotNull(resent);
            Assert.False(await store.ExistsAsync(upload.Key, Ct));
            await store.CompleteMultipartUploadAsync(upload, [resent.Value], Ct);
            Assert.Equal(second, await store.ReadAllBytesAsync(upload.Key, cancellationToken: Ct));
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_abort_during_a_part_write_leaves_nothing_and_the_write_reports_the_upload_gone(bool seekable)
    {
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        using var store = new FileSystemBlobStore(new FileSystemBlobStoreOptions { RootPath = _folder.Path, TimeProvider = time, StaleAge = TimeSpan.FromHours(1) });
        var upload = await store.StartMultipartUploadAsync(BlobKey.Parse("aborted"), null, Ct);
        var p1 = await store.UploadPartAsync(upload, 1, new MemoryStream(TestData.Bytes(PartLength, 1)), Ct);
        var gate = new GatedStream(TestData.Bytes(PartLength, 2), seekable, gateAt: PartLength / 2);
        var writing = Task.Run(() => store.UploadPartAsync(upload, 2, gate, Ct), Ct);
        await gate.Reached.WaitAsync(Ct);

        await store.AbortMultipartUploadAsync(upload, Ct);
        gate.Release();

        var ex = await Assert.ThrowsAsync<BlobNotFoundException>(() => writing);
        Assert.Equal(BlobErrorCode.UploadNotFound, ex.ErrorCode);
        Assert.Equal(BlobErrorCode.UploadNotFound, (await Assert.ThrowsAsync<BlobNotFoundException>(() => store.CompleteMultipartUploadAsync(upload, [p1], Ct))).ErrorCode);
        Assert.Equal(BlobErrorCode.UploadNotFound, (await Assert.ThrowsAsync<BlobNotFoundException>(() => store.ListPartsAsync(upload, Ct))).ErrorCode);
        Assert.False(await store.ExistsAsync(upload.Key, Ct));

        time.Advance(TimeSpan.FromHours(2));
        await store.SweepAsync(Ct);
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(_folder.Path, "uploads")));
    }

    [Fact]
    public async Task A_seekable_stream_that_holds_more_than_its_length_is_refused_as_invalid()
    {
        using var store = new FileSystemBlobStore(_folder.Path);
        var upload = await store.StartMultipartUploadAsync(BlobKey.Parse("liar"), null, Ct);
        var ex = await Assert.ThrowsAsync<BlobStoreException>(() => store.UploadPartAsync(upload, 1, new GatedStream(TestData.Bytes(1000), seekable: true, claimedLength: 600), Ct));
        Assert.Equal(BlobErrorCode.InvalidArgument, ex.ErrorCode);
        Assert.Empty(await store.ListPartsAsync(upload, Ct));
    }

    [Fact]
    public async Task Two_processes_writing_one_upload_never_share_a_region()
    {
        string root = _folder.Path;
        using var store = new FileSystemBlobStore(root);
        var upload = await store.StartMultipartUploadAsync(BlobKey.Parse("two/processes"), null, Ct);
        const int Count = 12;
        string go = Path.Combine(root, "go");
        var children = new[] { 1, 2 }.Select(seed => ChildProcess.Start("multipart-parts", root, upload.Key.Value, upload.UploadId, seed.ToString(System.Globalization.CultureInfo.InvariantCulture), Count.ToString(System.Globalization.CultureInfo.InvariantCulture), PartLength.ToString(System.Globalization.CultureInfo.InvariantCulture), go)).ToList();
        await ChildProcess.WaitUntilReadyAsync(children, Ct); // both at the barrier: the go file starts them together
        await File.WriteAllTextAsync(go, "go", Ct);
        foreach (var child in children)
        {
            string output = await child.StandardOutput.ReadToEndAsync(Ct);
            await child.WaitForExitAsync(Ct);
            Assert.True(child.ExitCode == 0, $"child exited {child.ExitCode}: {await child.StandardError.ReadToEndAsync(Ct)}");
            Assert.Equal(Count, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
            child.Dispose();
        }

        var parts = await store.ListPartsAsync(upload, Ct);
        Assert.Equal(Count, parts.Count);
        await store.CompleteMultipartUploadAsync(upload, parts, Ct);
        var stored = await store.ReadAllBytesAsync(upload.Key, cancellationToken: Ct);

        // Each part is one child's body for it, whole: a shared region would mix the two.
        for (int n = 1; n <= Count; n++)
        {
            var part = stored.AsSpan((n - 1) * PartLength, PartLength);
            Assert.True(part.SequenceEqual(TestData.Bytes(PartLength, 1000 + n)) || part.SequenceEqual(TestData.Bytes(PartLength, 2000 + n)), $"part {n} is neither child's body");
        }
    }

    private static async Task<(T? Value, Exception? Error)> Outcome<T>(Task<T> task)
        where T : struct
    {
        try
        {
            return (await task, null);
        }
        catch (Exception ex)
        {
            return (null, ex);
        }
    }

    private static async Task<(BlobProperties? Value, Exception? Error)> Outcome(Task<BlobProperties> task)
    {
        try
        {
            return (await task, null);
        }
        catch (Exception ex)
        {
            return (null, ex);
        }
    }

    private static byte[] Concat(byte[][] parts) => parts.SelectMany(p => p).ToArray();

    /// <summary>A stream over bytes that stops at <c>gateAt</c> until released, seekable (with a length, maybe a false one) or not.</summary>
    private sealed class GatedStream(byte[] bytes, bool seekable, int gateAt = -1, long? claimedLength = null) : Stream
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _position;

        public Task Reached => _reached.Task;

        public override bool CanRead => true;

        public override bool CanSeek => seekable;

        public override bool CanWrite => false;

        public override long Length => seekable ? claimedLength ?? bytes.Length : throw new NotSupportedException();

        public override long Position
        {
            get => seekable ? _position : throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public void Release() => _released.TrySetResult();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position == gateAt)
            {
                _reached.TrySetResult();
                await _released.Task.WaitAsync(cancellationToken);
            }

            int end = gateAt > _position ? gateAt : bytes.Length;
            int n = Math.Min(buffer.Length, end - _position);
            bytes.AsMemory(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
