using System.Buffers.Binary;
using System.Text;
using MusicLocker.Storage.FileSystem;
using MusicLocker.Testing;

namespace MusicLocker.Storage.Tests;

/// <summary>What the file-system store does with damaged files, paths the OS cannot hold, and writes that sweeps or others disturb.</summary>
public sealed partial class FileSystemBlobStoreTests
{
    public static TheoryData<string> Damages => ["text", "huge-header"];

    [Theory]
    [MemberData(nameof(Damages))]
    public async Task A_damaged_blob_does_not_hide_its_siblings_and_can_be_deleted(string damage)
    {
        using var store = new FileSystemBlobStore(_folder.Path);
        foreach (var k in new[] { "a/x", "a/y", "a/z" })
        {
            await store.PutBytesAsync(BlobKey.Parse(k), new byte[] { 1 }, null, Ct);
        }

        string path = Directory.GetFiles(_folder.Path, "y.blob", SearchOption.AllDirectories).Single();
        await File.WriteAllBytesAsync(path, Damaged(damage), Ct);
        var key = BlobKey.Parse("a/y");

        var listed = new List<string>();
        await foreach (var item in store.ListAsync("a/", Ct))
        {
            listed.Add(item.Key.Value);
        }

        Assert.Equal(["a/x", "a/z"], listed);
        var read = await Assert.ThrowsAsync<BlobStoreException>(() => store.GetPropertiesAsync(key, Ct));
        Assert.Contains(path, read.Message, StringComparison.Ordinal);

        // A damaged file is there (create-only refuses) but has no version a condition can name.
        await Assert.ThrowsAsync<BlobConditionFailedException>(() => store.PutBytesAsync(key, new byte[] { 2 }, new PutBlobOptions { Conditions = BlobRequestConditions.CreateOnly }, Ct));
        await Assert.ThrowsAsync<BlobConditionFailedException>(() => store.DeleteAsync(key, BlobRequestConditions.Matching(new ETag("\"0\"")), Ct));

        Assert.True(await store.DeleteAsync(key, null, Ct));
        Assert.False(await store.ExistsAsync(key, Ct));
        await store.PutBytesAsync(key, new byte[] { 3 }, null, Ct);
        Assert.Equal(new byte[] { 3 }, await store.ReadAllBytesAsync(key, cancellationToken: Ct));
    }

    private static byte[] Damaged(string damage)
    {
        if (damage == "text")
        {
            return Encoding.ASCII.GetBytes("not a blob file");
        }

        // What an unvalidated 70,000-character content type wrote before: a header longer than any reader accepts.
        var json = Encoding.UTF8.GetBytes("{\"etag\":\"\\\"1\\\"\",\"contentType\":\"audio/" + new string('x', 70_000) + "\"}");
        var bytes = new byte[8 + json.Length];
        "MLB1"u8.CopyTo(bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), (uint)json.Length);
        json.CopyTo(bytes, 8);
        return bytes;
    }

    [Fact]
    public async Task A_key_whose_path_is_longer_than_the_os_allows_is_refused_as_an_invalid_key_before_touching_the_disk()
    {
        // A deep root plus a key of '%' (written "%25" on disk) passes PATH_MAX though the key is within 1,024 bytes.
        string root = _folder.Path;
        for (int i = 0; i < 6; i++)
        {
            root = Path.Combine(root, new string('r', 200));
        }

        using var store = new FileSystemBlobStore(root);
        string keyText = string.Join('/', Enumerable.Repeat(new string('%', 83), 12));
        Assert.True(Encoding.UTF8.GetByteCount(keyText) <= BlobKey.MaxUtf8Length);
        var key = BlobKey.Parse(keyText);

        await Assert.ThrowsAsync<InvalidBlobKeyException>(() => store.PutBytesAsync(key, new byte[] { 1 }, null, Ct));
        await Assert.ThrowsAsync<InvalidBlobKeyException>(() => store.GetPropertiesAsync(key, Ct));
        await Assert.ThrowsAsync<InvalidBlobKeyException>(() => store.OpenReadAsync(key, null, Ct));
        await Assert.ThrowsAsync<InvalidBlobKeyException>(() => store.DeleteAsync(key, null, Ct));
        await Assert.ThrowsAsync<InvalidBlobKeyException>(() => store.StartMultipartUploadAsync(key, null, Ct));
        await Assert.ThrowsAsync<InvalidBlobKeyException>(() => ListAllAsync(store, keyText + "/more/x"));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(root, "blobs")));
    }

    [Fact]
    public async Task A_listing_prefix_no_key_can_have_is_refused_as_an_invalid_key()
    {
        using var store = new FileSystemBlobStore(_folder.Path);
        await store.PutBytesAsync(BlobKey.Parse("a/b"), new byte[] { 1 }, null, Ct);
        await Assert.ThrowsAsync<InvalidBlobKeyException>(() => ListAllAsync(store, new string('x', 300) + "/"));
        await Assert.ThrowsAsync<InvalidBlobKeyException>(() => ListAllAsync(store, string.Join('/', Enumerable.Repeat(new string('y', 240), 20)) + "/"));
        Assert.Equal(1, await ListAllAsync(store, "a/"));
    }

    private static async Task<int> ListAllAsync(IBlobStore store, string prefix)
    {
        int n = 0;
        await foreach (var unused in store.ListAsync(prefix, Ct))
        {
            n++;
        }

        return n;
    }

    [Fact]
    public async Task A_sweep_never_removes_the_temp_file_of_a_put_still_writing_however_old()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        using var store = new FileSystemBlobStore(new FileSystemBlobStoreOptions { RootPath = _folder.Path, TimeProvider = time, StaleAge = TimeSpan.FromMinutes(1) });
        var (source, paused, resume) = Pausing(300_000, pauseAt: 100_000);
        using var disposeSource = source;
        using var disposeResume = resume;
        using var disposePaused = paused;
        var put = Task.Run(() => store.PutAsync(BlobKey.Parse("slow/put"), source, null, Ct), Ct);
        await paused.WaitAsync(Ct);

        time.Advance(TimeSpan.FromDays(2)); // long past the stale age: only the writer's lock protects its file
        var swept = await store.SweepAsync(Ct);
        Assert.Equal(0, swept.TempFilesRemoved);
        Assert.Single(Directory.GetFiles(_folder.Path, "*.tmp", SearchOption.AllDirectories));

        resume.Set();
        await put;
        await using (var download = await store.OpenReadAsync(BlobKey.Parse("slow/put"), null, Ct))
        {
            Assert.Equal(300_000, download.Length);
            Assert.Equal(source.Sha256, await TestData.Sha256Async(download.Content, Ct));
        }

        Assert.Empty(Directory.GetFiles(_folder.Path, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_put_whose_temp_file_is_removed_from_outside_fails_with_a_store_error_and_keeps_the_previous_version()
    {
        using var store = new FileSystemBlobStore(_folder.Path);
        var key = BlobKey.Parse("lost/temp");
        await store.PutBytesAsync(key, "version 1"u8.ToArray(), null, Ct);
        var (source, paused, resume) = Pausing(200_000, pauseAt: 50_000);
        using var disposeSource = source;
        using var disposeResume = resume;
        using var disposePaused = paused;
        var put = Task.Run(() => store.PutAsync(key, source, null, Ct), Ct);
        await paused.WaitAsync(Ct);
        File.Delete(Directory.GetFiles(_folder.Path, "*.tmp", SearchOption.AllDirectories).Single());

        resume.Set();
        var ex = await Assert.ThrowsAsync<BlobStoreException>(() => put);
        Assert.Equal(BlobErrorCode.Unavailable, ex.ErrorCode);
        Assert.Equal("lost/temp", ex.Key);
        Assert.Equal("version 1"u8.ToArray(), await store.ReadAllBytesAsync(key, cancellationToken: Ct));
    }

    [Fact]
    public async Task A_sweep_with_a_cancelled_token_stops_before_it_starts()
    {
        using var store = new FileSystemBlobStore(_folder.Path);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.SweepAsync(cts.Token));
    }

    [Fact]
    public async Task A_caller_stream_failing_reaches_the_caller_as_its_own_exception()
    {
        using var store = new FileSystemBlobStore(_folder.Path);
        using var source = new GeneratedStream(1024 * 1024) { FailAfter = 100_000 };
        var ex = await Record.ExceptionAsync(() => store.PutAsync(BlobKey.Parse("fails"), source, null, Ct));
        Assert.IsAssignableFrom<IOException>(ex);
        Assert.False(await store.ExistsAsync(BlobKey.Parse("fails"), Ct));
        Assert.Empty(Directory.GetFiles(_folder.Path, "*.tmp", SearchOption.AllDirectories));
    }

    /// <summary>A stream of <paramref name="length"/> bytes that stops once, on a pool thread, after <paramref name="pauseAt"/> bytes until resumed.</summary>
    private static (GeneratedStream Source, SemaphoreSlim Paused, ManualResetEventSlim Resume) Pausing(long length, long pauseAt)
    {
        var paused = new SemaphoreSlim(0, 1);
        var resume = new ManualResetEventSlim();
        bool stopped = false;
        var source = new GeneratedStream(length, seed: 11, maxPerRead: 16 * 1024)
        {
            Progress = n =>
            {
                if (n >= pauseAt && !stopped)
                {
                    stopped = true;
                    paused.Release();
                    resume.Wait(Ct);
                }
            },
        };
        return (source, paused, resume);
    }
}
