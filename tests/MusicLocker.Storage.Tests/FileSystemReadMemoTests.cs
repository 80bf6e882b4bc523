using System.Collections.Concurrent;
using System.Globalization;
using MusicLocker.Storage.FileSystem;
using MusicLocker.Testing;

namespace MusicLocker.Storage.Tests;

/// <summary>
/// The read path remembers each key's path and last parsed header (<c>BlobReadMemo</c>). It must never hand a reader the
/// properties of another version: not while the blob is replaced under it by this store, by another store on the same
/// folder (another process), or by hand, nor after a delete.
/// </summary>
public sealed class FileSystemReadMemoTests : IDisposable
{
    private const int Size = 64 * 1024;
    private readonly TempFolder _folder = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();

    private FileSystemBlobStore Open() => new(new FileSystemBlobStoreOptions { RootPath = _folder.Path, FlushToDisk = false });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Readers_racing_replacements_of_the_same_length_always_get_the_header_of_the_bytes_they_read(bool writerIsAnotherStore)
    {
        using var reader = Open();
        using var other = Open();
        var writer = writerIsAnotherStore ? other : reader;
        var key = BlobKey.Parse("ann/tracks/raced.mp3");
        var versions = new ConcurrentDictionary<ETag, byte>();
        versions[(await writer.PutBytesAsync(key, Payload(0), Options(0), Ct)).ETag] = 0;

        const int Writes = 150;
        var failures = new ConcurrentQueue<string>();
        int reads = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var writing = Task.Run(async () =>
        {
            try
            {
                for (int i = 1; i <= Writes; i++)
                {
                    byte v = (byte)i;
                    versions[(await writer.PutBytesAsync(key, Payload(v), Options(v), Ct)).ETag] = v;
                }
            }
            finally
            {
                await stop.CancelAsync();
            }
        }, Ct);

        var readers = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            var buffer = new byte[Size];
            while (!stop.IsCancellationRequested)
            {
                // Whole reads, and reads of the last bytes (a range the header's data offset must place right).
                bool tail = Interlocked.Increment(ref reads) % 2 == 0;
                var range = tail ? ByteRange.Suffix(100) : ByteRange.All;
                await using var download = await reader.OpenReadAsync(key, new ReadBlobOptions { Range = range }, Ct);
                int length = (int)download.Length;
                await download.Content.ReadExactlyAsync(buffer.AsMemory(0, length), Ct);
                byte stated = byte.Parse(download.Properties.Metadata["v"], CultureInfo.InvariantCulture);
                if (buffer.AsSpan(0, length).IndexOfAnyExcept(stated) is int at and >= 0)
                {
                    failures.Enqueue($"properties say version {stated} ({download.Properties.ETag}), byte {at} of the range is {buffer[at]}");
                }

                if (versions.TryGetValue(download.Properties.ETag, out byte written) && written != stated)
                {
                    failures.Enqueue($"ETag {download.Properties.ETag} was written as version {written}, read with the metadata of {stated}");
                }

                var properties = await reader.GetPropertiesAsync(key, Ct);
                if (versions.TryGetValue(properties.ETag, out byte current) && properties.Metadata["v"] != current.ToString(CultureInfo.InvariantCulture))
                {
                    failures.Enqueue($"GetProperties: ETag {properties.ETag} of version {current} with the metadata of {properties.Metadata["v"]}");
                }
            }
        }, Ct)).ToList();

        await Task.WhenAll(readers.Append(writing));
        Assert.Empty(failures);
        Assert.True(reads > Writes, $"only {reads} reads raced {Writes} writes");
    }

    [Fact]
    public async Task A_blob_replaced_by_hand_with_another_version_of_the_same_length_reads_as_that_version()
    {
        using var store = Open();
        var a = BlobKey.Parse("ann/a.mp3");
        var b = BlobKey.Parse("ann/b.mp3");
        var first = await store.PutBytesAsync(a, Payload(1), Options(1), Ct);
        var second = await store.PutBytesAsync(b, Payload(2), Options(2), Ct);
        Assert.Equal(first.ETag, (await store.GetPropertiesAsync(a, Ct)).ETag); // remembered

        // Another program copies b's file over a's: same length, header of another version.
        string aPath = Directory.GetFiles(_folder.Path, "a.mp3.blob", SearchOption.AllDirectories).Single();
        string bPath = Directory.GetFiles(_folder.Path, "b.mp3.blob", SearchOption.AllDirectories).Single();
        File.Copy(bPath, aPath, overwrite: true);

        var properties = await store.GetPropertiesAsync(a, Ct);
        Assert.Equal(second.ETag, properties.ETag);
        Assert.Equal("2", properties.Metadata["v"]);
        Assert.Equal(Payload(2), await store.ReadAllBytesAsync(a, cancellationToken: Ct));
    }

    [Fact]
    public async Task A_deleted_blob_is_not_found_and_its_rewrite_with_identical_bytes_has_its_own_ETag()
    {
        using var store = Open();
        using var other = Open();
        var key = BlobKey.Parse("ann/gone.mp3");
        var before = await store.PutBytesAsync(key, Payload(7), Options(7), Ct);
        Assert.Equal(before.ETag, (await store.GetPropertiesAsync(key, Ct)).ETag);

        Assert.True(await other.DeleteAsync(key, cancellationToken: Ct));
        await Assert.ThrowsAsync<BlobNotFoundException>(() => store.GetPropertiesAsync(key, Ct));
        await Assert.ThrowsAsync<BlobNotFoundException>(() => store.OpenReadAsync(key, cancellationToken: Ct));

        var after = await other.PutBytesAsync(key, Payload(7), Options(7), Ct);
        Assert.NotEqual(before.ETag, after.ETag);
        Assert.Equal(after.ETag, (await store.GetPropertiesAsync(key, Ct)).ETag);
        await using var download = await store.OpenReadAsync(key, new ReadBlobOptions { IfMatch = after.ETag }, Ct);
        Assert.Equal(after.ETag, download.Properties.ETag);
        await Assert.ThrowsAsync<BlobConditionFailedException>(() => store.OpenReadAsync(key, new ReadBlobOptions { IfMatch = before.ETag }, Ct));
    }

    [Fact]
    public async Task More_keys_than_the_memo_holds_all_read_back_with_their_own_properties()
    {
        using var store = Open();
        int keys = BlobReadMemo.Capacity + 50;
        for (int i = 0; i < keys; i += 97)
        {
            await store.PutBytesAsync(BlobKey.Parse($"k/{i}"), new byte[] { (byte)i }, Options((byte)i), Ct);
        }

        for (int round = 0; round < 2; round++)
        {
            for (int i = 0; i < keys; i++)
            {
                // Misses too: every key passes through the memo, so it fills and starts over.
                var key = BlobKey.Parse($"k/{i}");
                if (i % 97 == 0)
                {
                    Assert.Equal(((byte)i).ToString(CultureInfo.InvariantCulture), (await store.GetPropertiesAsync(key, Ct)).Metadata["v"]);
                }
                else
                {
                    await Assert.ThrowsAsync<BlobNotFoundException>(() => store.GetPropertiesAsync(key, Ct));
                }
            }
        }
    }

    private static byte[] Payload(byte version)
    {
        var bytes = new byte[Size];
        bytes.AsSpan().Fill(version);
        return bytes;
    }

    private static PutBlobOptions Options(byte version) => new() { Metadata = new Dictionary<string, string> { ["v"] = version.ToString(CultureInfo.InvariantCulture) } };
}
