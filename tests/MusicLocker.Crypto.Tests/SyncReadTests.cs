using MusicLocker.Storage;
using MusicLocker.Testing;

namespace MusicLocker.Crypto.Tests;

/// <summary>Synchronous reads stay synchronous down to the inner store's stream (no blocking on network I/O).</summary>
public sealed class SyncReadTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_synchronous_read_of_a_short_tail_range_never_reads_the_source_asynchronously()
    {
        using var f = await CryptoFixture.CreateAsync();
        var key = BlobKey.Parse("ann/tail.mp3");
        var bytes = TestData.Bytes(40_000, 7);
        await f.Store.PutBytesAsync(key, bytes, null, Ct);
        f.Inner.SyncOnlyDownloads = true;

        // 20,000 bytes to the end span chunks 1 and 2 (the final one): held back until the final chunk verified.
        var download = await f.Store.OpenReadAsync(key, new ReadBlobOptions { Range = new ByteRange(20_000, 20_000) }, Ct);
        await using (download)
        {
            var read = new byte[20_000];
            int filled = 0;
            while (filled < read.Length)
            {
                int n = download.Content.Read(read, filled, read.Length - filled);
                Assert.NotEqual(0, n);
                filled += n;
            }

            Assert.Equal(bytes.AsSpan(20_000).ToArray(), read);
        }
    }
}
