using System.IO.Pipelines;
using MusicLocker.Storage;
using MusicLocker.Streaming.Tests.Support;
using MusicLocker.Testing;

namespace MusicLocker.Streaming.Tests;

/// <summary>
/// While the pipe keeps up, storage reads land straight in the pipe's memory: no read-ahead buffer is rented and no
/// byte is copied twice (the ring-and-channel design cost ~1.5–1.9× a FileStream → PipeWriter copy).
/// </summary>
public sealed class RangeReaderCopyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly BlobKey Key = BlobKey.Parse("ann/tracks/direct.mp3");

    [Theory]
    [MemberData(nameof(Stores.Kinds), MemberType = typeof(Stores))]
    public async Task A_pipe_that_keeps_up_gets_the_bytes_without_any_read_ahead_buffer(string kind)
    {
        await using var stores = await Stores.CreateAsync(kind);
        byte[] original = TestData.Bytes(3 * 1024 * 1024, seed: 31);
        await stores.Store.PutBytesAsync(Key, original, cancellationToken: Ct);
        var pool = new TrackingArrayPool();
        var reader = new BlobRangeReader(stores.Store, new BlobRangeReaderOptions { ChunkSize = 64 * 1024, BufferPool = pool });

        // A pipe that never pauses the writer: every flush completes at once.
        var (written, received) = await PipeRead.RangeAsync(reader, Key, 12_345, 2 * 1024 * 1024, cancellationToken: Ct, options: new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));

        Assert.Equal(2 * 1024 * 1024, written);
        Assert.Equal(original.AsSpan(12_345, 2 * 1024 * 1024).ToArray(), received);
        Assert.Equal(0, pool.Rents);
        Assert.Equal(0, pool.Outstanding);
    }
}
