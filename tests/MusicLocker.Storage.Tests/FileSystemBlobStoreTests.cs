using System.Text;
using MusicLocker.Storage.FileSystem;
using MusicLocker.Testing;

namespace MusicLocker.Storage.Tests;

/// <summary>What the file-system store promises beyond the shared contract: restarts, kills, other processes, sweeping.</summary>
public sealed partial class FileSystemBlobStoreTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Etag_time_and_metadata_survive_a_restart()
    {
        BlobProperties written;
        using (var store = new FileSystemBlobStore(_folder.Path))
        {
            written = await store.PutBytesAsync(BlobKey.Parse("a/b"), new byte[] { 1, 2, 3 }, new PutBlobOptions { ContentType = "audio/mpeg", Metadata = new Dictionary<string, string> { ["x"] = "y" } }, Ct);
        }

        using var reopened = new FileSystemBlobStore(_folder.Path);
        var read = await reopened.GetPropertiesAsync(BlobKey.Parse("a/b"), Ct);
        Assert.Equal(written.ETag, read.ETag);
        Assert.Equal(written.LastModified, read.LastModified);
        Assert.Equal("audio/mpeg", read.ContentType);
        Assert.Equal("y", read.Metadata["x"]);
        Assert.Equal(3, read.Length);
    }

    [Fact]
    public async Task A_process_killed_mid_write_leaves_the_previous_version_and_a_temp_file_that_the_sweep_removes()
    {
        using (var store = new FileSystemBlobStore(_folder.Path))
        {
            await store.PutBytesAsync(BlobKey.Parse("songs/one"), "version 1"u8.ToArray(), null, Ct);
        }

        using var child = ChildProcess.Start("put-slow", _folder.Path, "songs/one");
        var line = await child.StandardOutput.ReadLineAsync(Ct);
        Assert.Equal("writing", line);
        child.Kill(entireProcessTree: true);
        await child.WaitForExitAsync(Ct);

        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        using var after = new FileSystemBlobStore(new FileSystemBlobStoreOptions { RootPath = _folder.Path, TimeProvider = time });
        Assert.Equal("version 1"u8.ToArray(), await after.ReadAllBytesAsync(BlobKey.Parse("songs/one"), cancellationToken: Ct));
        var temps = Directory.GetFiles(_folder.Path, "*.tmp", SearchOption.AllDirectories);
        Assert.Single(temps);

        Assert.Equal(0, (await after.SweepAsync(Ct)).TempFilesRemoved); // fresh: could be a live write
        time.Advance(TimeSpan.FromDays(2));
        var swept = await after.SweepAsync(Ct);
        Assert.Equal(1, swept.TempFilesRemoved);
        Assert.True(swept.BytesFreed > 0);
        Assert.Empty(Directory.GetFiles(_folder.Path, "*.tmp", SearchOption.AllDirectories));
        Assert.Equal("version 1"u8.ToArray(), await after.ReadAllBytesAsync(BlobKey.Parse("songs/one"), cancellationToken: Ct));
    }

    [Fact]
    public async Task Create_only_puts_from_several_processes_have_exactly_one_winner()
    {
        string go = Path.Combine(_folder.Path, "go");
        string root = Path.Combine(_folder.Path, "store");
        using (new FileSystemBlobStore(root))
        {
        }

        var children = Enumerable.Range(1, 4).Select(i => ChildProcess.Start("put-create-only", root, "race/key", i.ToString(System.Globalization.CultureInfo.InvariantCulture), go)).ToList();
        await ChildProcess.WaitUntilReadyAsync(children, Ct); // every child started and waits at the barrier
        await File.WriteAllTextAsync(go, "go", Ct);
        var codes = new List<int>();
        foreach (var child in children)
        {
            await child.WaitForExitAsync(Ct);
            codes.Add(child.ExitCode);
            child.Dispose();
        }

        Assert.Equal(1, codes.Count(c => c == 0));
        Assert.Equal(3, codes.Count(c => c == 2));
        using var store = new FileSystemBlobStore(root);
        int winner = codes.IndexOf(0) + 1;
        Assert.Equal(Testing.TestData.Bytes(256 * 1024, winner), await store.ReadAllBytesAsync(BlobKey.Parse("race/key"), cancellationToken: Ct));
    }

    [Fact]
    public async Task Create_only_puts_through_separate_store_instances_have_exactly_one_winner()
    {
        // Separate instances share no in-process lock: only the OS file lock serialises them.
        var stores = Enumerable.Range(0, 8).Select(_ => new FileSystemBlobStore(_folder.Path)).ToList();
        var results = await Task.WhenAll(stores.Select((s, i) => Task.Run(async () =>
        {
            try
            {
                await s.PutBytesAsync(BlobKey.Parse("k"), Testing.TestData.Bytes(100_000, i), new PutBlobOptions { Conditions = BlobRequestConditions.CreateOnly }, Ct);
                return true;
            }
            catch (BlobConditionFailedException)
            {
                return false;
            }
        })));
        Assert.Single(results, r => r);
        stores.ForEach(s => s.Dispose());
    }

    [Fact]
    public async Task Abandoned_multipart_uploads_are_swept_after_the_stale_age_only()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        using var store = new FileSystemBlobStore(new FileSystemBlobStoreOptions { RootPath = _folder.Path, TimeProvider = time, StaleAge = TimeSpan.FromHours(1) });
        var old = await store.StartMultipartUploadAsync(BlobKey.Parse("old"), null, Ct);
        await store.UploadPartAsync(old, 1, new MemoryStream(new byte[5000]), Ct);
        time.Advance(TimeSpan.FromMinutes(90));
        var fresh = await store.StartMultipartUploadAsync(BlobKey.Parse("fresh"), null, Ct);

        var swept = await store.SweepAsync(Ct);
        Assert.Equal(1, swept.UploadsRemoved);
        Assert.True(swept.BytesFreed >= 5000);
        var ex = await Assert.ThrowsAsync<BlobNotFoundException>(() => store.ListPartsAsync(old, Ct));
        Assert.Equal(BlobErrorCode.UploadNotFound, ex.ErrorCode);
        Assert.Empty(await store.ListPartsAsync(fresh, Ct));
    }

    [Fact]
    public async Task A_segment_longer_than_a_file_name_is_refused_naming_the_rule()
    {
        using var store = new FileSystemBlobStore(_folder.Path);
        var key = BlobKey.Parse("a/" + new string('x', 251));
        var ex = await Assert.ThrowsAsync<InvalidBlobKeyException>(() => store.PutBytesAsync(key, new byte[] { 1 }, null, Ct));
        Assert.Equal(BlobKeyRule.SegmentTooLong, ex.Rule);
        Assert.Contains("250 UTF-8 bytes", ex.Detail, StringComparison.Ordinal);
        await store.PutBytesAsync(BlobKey.Parse("a/" + new string('x', 250)), new byte[] { 1 }, null, Ct);
    }

    [Theory]
    [InlineData("../../blobs")]
    [InlineData("/etc")]
    [InlineData("0123456789abcdef0123456789ABCDEF")]
    public async Task An_upload_id_that_is_not_ours_names_no_upload(string id)
    {
        using var store = new FileSystemBlobStore(_folder.Path);
        var ex = await Assert.ThrowsAsync<BlobNotFoundException>(() => store.UploadPartAsync(new MultipartUpload(BlobKey.Parse("k"), id), 1, new MemoryStream([1]), Ct));
        Assert.Equal(BlobErrorCode.UploadNotFound, ex.ErrorCode);
    }

    [Fact]
    public async Task An_upload_id_used_with_another_key_names_no_upload()
    {
        using var store = new FileSystemBlobStore(_folder.Path);
        var upload = await store.StartMultipartUploadAsync(BlobKey.Parse("a"), null, Ct);
        await Assert.ThrowsAsync<BlobNotFoundException>(() => store.UploadPartAsync(upload with { Key = BlobKey.Parse("b") }, 1, new MemoryStream([1]), Ct));
    }

    [Fact]
    public async Task A_damaged_store_file_is_reported_with_its_path()
    {
        using var store = new FileSystemBlobStore(_folder.Path);
        await store.PutBytesAsync(BlobKey.Parse("x"), new byte[] { 1 }, null, Ct);
        string path = Directory.GetFiles(_folder.Path, "x.blob", SearchOption.AllDirectories).Single();
        await File.WriteAllBytesAsync(path, Encoding.ASCII.GetBytes("not a blob file"), Ct);
        var ex = await Assert.ThrowsAsync<BlobStoreException>(() => store.GetPropertiesAsync(BlobKey.Parse("x"), Ct));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Characters_windows_refuses_are_escaped_on_disk_and_listed_back()
    {
        using var store = new FileSystemBlobStore(_folder.Path);
        await store.PutBytesAsync(BlobKey.Parse("a:b/c*d%e"), new byte[] { 1 }, null, Ct);
        Assert.Contains(Directory.GetFiles(_folder.Path, "*.blob", SearchOption.AllDirectories), p => p.EndsWith("c%2Ad%25e.blob", StringComparison.Ordinal));
        var listed = new List<string>();
        await foreach (var item in store.ListAsync("a:", Ct))
        {
            listed.Add(item.Key.Value);
        }

        Assert.Equal(["a:b/c*d%e"], listed);
    }

    [Fact]
    public void Options_are_validated()
    {
        Assert.Throws<ArgumentException>(() => new FileSystemBlobStore(new FileSystemBlobStoreOptions()));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FileSystemBlobStore(new FileSystemBlobStoreOptions { RootPath = _folder.Path, StaleAge = TimeSpan.Zero }));
    }
}
