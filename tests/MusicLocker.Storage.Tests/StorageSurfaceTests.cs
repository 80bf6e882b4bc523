using MusicLocker.Storage.FileSystem;
using MusicLocker.Storage.InMemory;
using MusicLocker.Testing;

namespace MusicLocker.Storage.Tests;

/// <summary>
/// The public surface under a hostile or careless caller: options and dictionaries changed after they were handed over,
/// files cut short or locked under a read, bad local paths. Every failure is a typed <see cref="BlobStoreException"/>.
/// </summary>
public sealed class StorageSurfaceTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task File_system_options_changed_after_construction_have_no_effect()
    {
        var then = new ManualTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var options = new FileSystemBlobStoreOptions { RootPath = _folder.Path, TimeProvider = then };
        using var store = new FileSystemBlobStore(options);

        options.TimeProvider = new ManualTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        options.RootPath = Path.Combine(_folder.Path, "elsewhere");
        options.StaleAge = TimeSpan.FromTicks(1);
        var written = await store.PutBytesAsync(BlobKey.Parse("opts/a"), new byte[] { 1 }, null, Ct);

        Assert.Equal(then.GetUtcNow(), written.LastModified);
        Assert.False(Directory.Exists(Path.Combine(_folder.Path, "elsewhere")));
        Assert.Equal(0, (await store.SweepAsync(Ct)).TempFilesRemoved);
    }

    [Fact]
    public async Task In_memory_options_changed_after_construction_have_no_effect()
    {
        var then = new ManualTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var options = new InMemoryBlobStoreOptions { TimeProvider = then };
        var store = new InMemoryBlobStore(options);

        options.TimeProvider = new ManualTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var written = await store.PutBytesAsync(BlobKey.Parse("opts/b"), new byte[] { 1 }, null, Ct);

        Assert.Equal(then.GetUtcNow(), written.LastModified);
    }

    public static TheoryData<string> Stores => ["filesystem", "inmemory"];

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Metadata_changed_while_the_put_reads_its_stream_is_neither_stored_nor_let_past_validation(string kind)
    {
        using var owner = Open(kind, out var store);
        var metadata = new Dictionary<string, string> { ["artist"] = "someone" };
        var content = new CallbackStream(new byte[100], () =>
        {
            metadata["artist"] = "someone else";
            metadata["bad name!"] = "\u0001"; // refused had it been there when the put began
        });

        var written = await store.PutAsync(BlobKey.Parse("meta/put"), content, new PutBlobOptions { Metadata = metadata }, Ct);

        var stored = await store.GetPropertiesAsync(BlobKey.Parse("meta/put"), Ct);
        Assert.Equal(new Dictionary<string, string> { ["artist"] = "someone" }, stored.Metadata);
        Assert.Equal(new Dictionary<string, string> { ["artist"] = "someone" }, written.Metadata);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Options_changed_between_starting_and_completing_a_multipart_upload_have_no_effect(string kind)
    {
        using var owner = Open(kind, out var store);
        var metadata = new Dictionary<string, string> { ["album"] = "first" };
        var key = BlobKey.Parse("meta/multi");
        var upload = await store.StartMultipartUploadAsync(key, new PutBlobOptions { ContentType = "audio/flac", Metadata = metadata }, Ct);

        metadata["album"] = "second";
        metadata["Evil Name"] = "\u0007";
        var part = await store.UploadPartAsync(upload, 1, new MemoryStream(new byte[10]), Ct);
        var done = await store.CompleteMultipartUploadAsync(upload, [part], Ct);

        Assert.Equal(new Dictionary<string, string> { ["album"] = "first" }, done.Metadata);
        Assert.Equal("audio/flac", done.ContentType);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Returned_metadata_cannot_be_cast_back_and_changed(string kind)
    {
        using var owner = Open(kind, out var store);
        var key = BlobKey.Parse("meta/cast");
        await store.PutBytesAsync(key, new byte[1], new PutBlobOptions { Metadata = new Dictionary<string, string> { ["a"] = "1" } }, Ct);

        var first = await store.GetPropertiesAsync(key, Ct);
        if (first.Metadata is IDictionary<string, string> writable)
        {
            Assert.True(writable.IsReadOnly);
            Assert.Throws<NotSupportedException>(() => writable["a"] = "2");
        }

        Assert.Equal("1", (await store.GetPropertiesAsync(key, Ct)).Metadata["a"]);
    }

    [Fact]
    public async Task A_blob_file_cut_short_under_an_open_read_fails_as_a_store_error_naming_the_key()
    {
        using var store = new FileSystemBlobStore(_folder.Path);
        var key = BlobKey.Parse("cut/short");
        await store.PutBytesAsync(key, TestData.Bytes(100_000), null, Ct);
        string file = Directory.GetFiles(Path.Combine(_folder.Path, "blobs"), "short.blob", SearchOption.AllDirectories).Single();

        await using var download = await store.OpenReadAsync(key, null, Ct);
        await using (var outside = new FileStream(file, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
        {
            outside.SetLength(1_000); // something outside the store truncates the file under the open handle
        }

        var ex = await Assert.ThrowsAsync<BlobStoreException>(async () =>
        {
            var buffer = new byte[8192];
            while (await download.Content.ReadAsync(buffer, Ct) > 0)
            {
            }
        });
        Assert.Equal(BlobErrorCode.IntegrityCheckFailed, ex.ErrorCode);
        Assert.Equal("cut/short", ex.Key);
    }

    [Fact]
    public async Task A_damaged_blob_file_is_an_integrity_failure()
    {
        using var store = new FileSystemBlobStore(_folder.Path);
        var key = BlobKey.Parse("damaged/one");
        await store.PutBytesAsync(key, new byte[10], null, Ct);
        string file = Directory.GetFiles(Path.Combine(_folder.Path, "blobs"), "one.blob", SearchOption.AllDirectories).Single();
        await File.WriteAllBytesAsync(file, "MLB1garbage"u8.ToArray(), Ct);

        var ex = await Assert.ThrowsAsync<BlobStoreException>(() => store.GetPropertiesAsync(key, Ct));

        Assert.Equal(BlobErrorCode.IntegrityCheckFailed, ex.ErrorCode);
        Assert.False(ex.IsTransient);
    }

    [Fact]
    public async Task A_read_that_meets_a_momentary_exclusive_lock_on_the_blob_waits_for_it_instead_of_failing()
    {
        // A sweep's probe lock lands on a blob when the writer renames the temp file between the sweep's open and its lock
        // (the cause of the stress test's sharing violation). The probe lets go at once; the reader must not fail meanwhile.
        using var store = new FileSystemBlobStore(_folder.Path);
        var key = BlobKey.Parse("locked/blob");
        await store.PutBytesAsync(key, TestData.Bytes(1_000), null, Ct);
        string file = Directory.GetFiles(Path.Combine(_folder.Path, "blobs"), "blob.blob", SearchOption.AllDirectories).Single();

        Task<byte[]> read;
        using (File.OpenHandle(file, FileMode.Open, FileAccess.Read, FileShare.None))
        {
            read = store.ReadAllBytesAsync(key, cancellationToken: Ct);
            Assert.False(read.IsFaulted, read.Exception?.ToString());
        }

        Assert.Equal(TestData.Bytes(1_000), await read);
    }

    [Fact]
    public async Task Putting_from_a_missing_local_file_is_an_invalid_argument_not_an_IO_exception()
    {
        var store = new InMemoryBlobStore();

        var ex = await Assert.ThrowsAsync<BlobStoreException>(() => store.PutFileAsync(BlobKey.Parse("from/file"), Path.Combine(_folder.Path, "no-such.mp3"), null, Ct));

        Assert.Equal(BlobErrorCode.InvalidArgument, ex.ErrorCode);
        Assert.Equal("from/file", ex.Key);
        Assert.IsType<FileNotFoundException>(ex.InnerException);
    }

    [Theory]
    [InlineData("filesystem", "../")]
    [InlineData("filesystem", "../../")]
    [InlineData("filesystem", "a\0b/")]
    [InlineData("filesystem", "a\0")]
    [InlineData("filesystem", "//")]
    [InlineData("filesystem", "/etc/")]
    [InlineData("filesystem", "a\\..\\b/")]
    [InlineData("inmemory", "a\0b/")]
    public async Task A_hostile_listing_prefix_lists_nothing_and_throws_nothing_raw(string kind, string prefix)
    {
        using var owner = Open(kind, out var store);
        await store.PutBytesAsync(BlobKey.Parse("inside/one"), new byte[1], null, Ct);

        var listed = new List<string>();
        var ex = await Record.ExceptionAsync(async () =>
        {
            await foreach (var item in store.ListAsync(prefix, Ct))
            {
                listed.Add(item.Key.Value);
            }
        });

        Assert.True(ex is null or BlobStoreException, $"{ex?.GetType()}: {ex?.Message}");
        Assert.Empty(listed);
    }

    [Fact]
    public async Task A_file_put_in_the_store_by_hand_whose_name_is_no_key_does_not_break_listing()
    {
        using var store = new FileSystemBlobStore(_folder.Path);
        await store.PutBytesAsync(BlobKey.Parse("hand/good"), new byte[1], null, Ct);
        string folder = Path.GetDirectoryName(Directory.GetFiles(Path.Combine(_folder.Path, "blobs"), "good.blob", SearchOption.AllDirectories).Single())!;
        File.Copy(Path.Combine(folder, "good.blob"), Path.Combine(folder, "bad%5C.blob")); // decodes to a backslash

        var listed = new List<string>();
        await foreach (var item in store.ListAsync("hand/", Ct))
        {
            listed.Add(item.Key.Value);
        }

        Assert.Equal(["hand/good"], listed);
    }

    [Fact]
    public void Every_code_enum_starts_with_Unknown()
    {
        Assert.Equal(0, (int)BlobErrorCode.Unknown);
        Assert.Equal(0, (int)BlobKeyRule.Unknown);
        Assert.True(Enum.IsDefined(BlobErrorCode.IntegrityCheckFailed));
        Assert.True(Enum.IsDefined(BlobErrorCode.KeyDestroyed));
    }

    private IDisposable Open(string kind, out IBlobStore store)
    {
        if (kind == "filesystem")
        {
            var fs = new FileSystemBlobStore(Path.Combine(_folder.Path, "fs"));
            store = fs;
            return fs;
        }

        store = new InMemoryBlobStore();
        return new MemoryStream();
    }

    /// <summary>A readable stream over <paramref name="bytes"/> that runs <paramref name="onFirstRead"/> once, on its first read.</summary>
    private sealed class CallbackStream(byte[] bytes, Action onFirstRead) : Stream
    {
        private readonly MemoryStream _inner = new(bytes, writable: false);
        private bool _called;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (!_called)
            {
                _called = true;
                onFirstRead();
            }

            return _inner.Read(buffer, offset, count);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer, offset, count));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var array = new byte[buffer.Length];
            int n = Read(array, 0, array.Length);
            array.AsSpan(0, n).CopyTo(buffer.Span);
            return new ValueTask<int>(n);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
