using MusicLocker.Storage.FileSystem;
using MusicLocker.Testing;

namespace MusicLocker.Storage.Tests;

/// <summary>
/// A ranged read of the file store (<c>FileRangeReadStream</c> over <c>ReadOnlyWindowStream</c>, both with pooled async
/// state machines): whichever legal way a caller consumes a read — awaited, as a task, synchronously, from many windows
/// at once — every read gives the window's own bytes, and a read cancelled before it starts moves nothing.
/// </summary>
public sealed partial class FileSystemBlobStoreTests
{
    [Fact]
    public async Task Concurrent_windows_read_every_way_get_their_own_bytes_and_a_cancelled_read_moves_nothing()
    {
        using var store = new FileSystemBlobStore(new FileSystemBlobStoreOptions { RootPath = _folder.Path, FlushToDisk = false });
        var key = BlobKey.Parse("ann/tracks/windows.mp3");
        byte[] file = TestData.Bytes(1024 * 1024, seed: 11);
        await store.PutBytesAsync(key, file, cancellationToken: Ct);

        await Parallel.ForAsync(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = Ct }, async (i, ct) =>
        {
            long offset = i * 12_345L;
            long length = 100_000 + (i * 997);
            var download = await store.OpenReadAsync(key, new ReadBlobOptions { Range = new ByteRange(offset, length) }, ct);
            await using (download)
            {
                var content = download.Content;
                byte[] got = new byte[length];
                int filled = 0;
                using var cancelled = new CancellationTokenSource();
                await cancelled.CancelAsync();
                for (int n = 0; filled < length; n++)
                {
                    var into = got.AsMemory(filled, Math.Min(1 + ((n * 7919) % 9000), (int)length - filled));
                    if (n % 5 == 4)
                    {
                        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => content.ReadAsync(into, cancelled.Token).AsTask());
                        Assert.Equal(filled, content.Position);
                    }

                    int read = (n % 4) switch
                    {
                        0 => await content.ReadAsync(into, ct),
                        1 => await content.ReadAsync(into, ct).AsTask(),
                        2 => content.Read(into.Span),
                        _ => await content.ReadAsync(got, filled, into.Length, ct),
                    };
                    Assert.InRange(read, 1, into.Length);
                    filled += read;
                }

                Assert.Equal(0, await content.ReadAsync(new byte[16], ct));
                Assert.True(file.AsSpan((int)offset, (int)length).SequenceEqual(got), $"window {i}: wrong bytes");
            }
        });
    }
}
