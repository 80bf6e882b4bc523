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

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_paused_pipe_is_read_ahead_for_slow_storage_only(bool slowStorage)
    {
        var store = new CountingBlobStore(new Storage.InMemory.InMemoryBlobStore());
        byte[] original = TestData.Bytes(1024 * 1024, seed: 32);
        await store.PutBytesAsync(Key, original, cancellationToken: Ct);
        var pool = new TrackingArrayPool();
        const int Chunk = 16 * 1024;
        var clock = slowStorage ? SlowStorageClock.Slow : SlowStorageClock.Instant;
        var reader = new BlobRangeReader(store, new BlobRangeReaderOptions { ChunkSize = Chunk, ReadAheadChunks = 2, BufferPool = pool, TimeProvider = clock });

        // Every chunk fills the pipe to its pause threshold, so every flush waits for the consumer (on another task).
        var (written, received) = await PipeRead.RangeAsync(reader, Key, 777, original.Length - 777, cancellationToken: Ct, options: new PipeOptions(pauseWriterThreshold: Chunk, resumeWriterThreshold: Chunk / 2, useSynchronizationContext: false));

        Assert.Equal(original.Length - 777, written);
        Assert.Equal(original.AsSpan(777).ToArray(), received);
        Assert.Equal(0, pool.Outstanding);
        if (slowStorage)
        {
            // Whether a flush is still pending depends on the consumer task; that slow storage is read ahead is held by
            // A_slow_reader_never_has_more_than_the_read_ahead_buffered. Here: reused, none kept.
            Assert.True(pool.Rents <= 2, $"{pool.Rents} read-ahead buffers rented: not reused");
        }
        else
        {
            Assert.Equal(0, pool.Rents); // fast storage: the flush is awaited, nothing is copied twice
        }
    }
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task After_a_read_that_completed_at_once_the_next_asks_half_a_chunk_and_after_one_that_waited_a_whole_one(bool readsWait)
    {
        var store = new CountingBlobStore(new Storage.InMemory.InMemoryBlobStore()) { ReadsWait = readsWait };
        byte[] original = TestData.Bytes(1024 * 1024, seed: 34);
        await store.PutBytesAsync(Key, original, cancellationToken: Ct);
        const int Chunk = 64 * 1024;
        var reader = new BlobRangeReader(store, new BlobRangeReaderOptions { ChunkSize = Chunk });

        // A default pipe: pauses the writer at 64 KiB, as Kestrel's response body does.
        var (written, received) = await PipeRead.RangeAsync(reader, Key, 0, original.Length, cancellationToken: Ct);

        Assert.Equal(original.Length, written);
        Assert.Equal(original, received);
        int[] asked = [.. store.AskedSizes];
        Assert.Equal(Chunk, asked[0]); // nothing is known of the store before its first read
        Assert.All(asked[1..], size => Assert.Equal(readsWait ? Chunk : Chunk / 2, size));
    }

    [Fact]
    public async Task One_slow_read_between_fast_ones_is_not_slow_storage_and_reads_nothing_ahead()
    {
        var store = new CountingBlobStore(new Storage.InMemory.InMemoryBlobStore());
        byte[] original = TestData.Bytes(1024 * 1024, seed: 33);
        await store.PutBytesAsync(Key, original, cancellationToken: Ct);
        var pool = new TrackingArrayPool();
        const int Chunk = 16 * 1024;

        // Every fourth timestamp jumps 5 ms: a read now and then looks slow (a warm file held up by a busy scheduler),
        // never two in a row.
        var reader = new BlobRangeReader(store, new BlobRangeReaderOptions { ChunkSize = Chunk, ReadAheadChunks = 2, BufferPool = pool, TimeProvider = new HiccupClock() });
        var (written, received) = await PipeRead.RangeAsync(reader, Key, 0, original.Length, cancellationToken: Ct, options: new PipeOptions(pauseWriterThreshold: Chunk, resumeWriterThreshold: Chunk / 2, useSynchronizationContext: false));

        Assert.Equal(original.Length, written);
        Assert.Equal(original, received);
        Assert.Equal(0, pool.Rents);
        Assert.Equal(0, pool.Outstanding);
    }

    private sealed class HiccupClock : TimeProvider
    {
        private long _calls;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp()
        {
            long call = Interlocked.Increment(ref _calls);
            return (call / 4) * TimeSpan.FromMilliseconds(5).Ticks;
        }
    }
}
