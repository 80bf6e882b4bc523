using System.IO.Pipelines;
using MusicLocker.Storage;
using MusicLocker.Streaming.Tests.Support;
using MusicLocker.Testing;

namespace MusicLocker.Streaming.Tests;

public sealed class RangeReaderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly BlobKey Key = BlobKey.Parse("ann/tracks/a.mp3");

    [Theory]
    [MemberData(nameof(Stores.Kinds), MemberType = typeof(Stores))]
    public async Task A_thousand_random_ranges_match_the_original_byte_for_byte(string kind)
    {
        // 700 KB crosses many 16 KiB encryption chunks and many 8 KiB reader chunks: ranges start and end anywhere in them.
        await using var stores = await Stores.CreateAsync(kind);
        byte[] original = TestData.Bytes(700_001, seed: 12);
        await stores.Store.PutBytesAsync(Key, original, cancellationToken: Ct);
        var pool = new TrackingArrayPool();
        var reader = new BlobRangeReader(stores.Store, new BlobRangeReaderOptions { ChunkSize = 8 * 1024, ReadAheadChunks = 3, BufferPool = pool, TimeProvider = SlowStorageClock.Slow });
        var random = new Random(1234);
        for (int i = 0; i < 1000; i++)
        {
            long offset = random.Next(10) == 0 ? original.Length - 1 - random.Next(100) : random.NextInt64(original.Length);
            long length = random.Next(4) switch
            {
                0 => 1,
                1 => original.Length - offset, // to the end
                2 => random.NextInt64(1, 300_000), // may run past the end: clamped
                _ => random.NextInt64(1, 20_000),
            };
            var (written, received) = await PipeRead.RangeAsync(reader, Key, offset, length, cancellationToken: Ct);
            long expected = Math.Min(length, original.Length - offset);
            Assert.Equal(expected, written);
            Assert.True(original.AsSpan((int)offset, (int)expected).SequenceEqual(received), $"range {offset}+{length} (#{i}) differs");
        }

        Assert.Equal(1000, stores.Store.Reads); // one storage read per range
        Assert.Equal(0, pool.Outstanding);
        Assert.Empty(pool.Errors);
    }

    [Theory]
    [MemberData(nameof(Stores.Kinds), MemberType = typeof(Stores))]
    public async Task Edge_ranges_work(string kind)
    {
        await using var stores = await Stores.CreateAsync(kind);
        byte[] original = TestData.Bytes(100_000, seed: 3);
        await stores.Store.PutBytesAsync(Key, original, cancellationToken: Ct);
        var empty = BlobKey.Parse("ann/tracks/empty.mp3");
        await stores.Store.PutBytesAsync(empty, Array.Empty<byte>(), cancellationToken: Ct);
        var reader = new BlobRangeReader(stores.Store);

        // Zero-length ranges (of a blob and of a zero-byte blob) write nothing and read nothing from storage.
        stores.Store.ResetCounts();
        Assert.Equal(0, (await PipeRead.RangeAsync(reader, Key, 500, 0, cancellationToken: Ct)).Written);
        Assert.Empty((await PipeRead.RangeAsync(reader, empty, 0, 0, cancellationToken: Ct)).Received);
        Assert.Equal(0, stores.Store.Reads);

        // The last byte; the first byte; the whole blob.
        Assert.Equal([original[^1]], (await PipeRead.RangeAsync(reader, Key, original.Length - 1, 1, cancellationToken: Ct)).Received);
        Assert.Equal([original[0]], (await PipeRead.RangeAsync(reader, Key, 0, 1, cancellationToken: Ct)).Received);
        Assert.Equal(original, (await PipeRead.RangeAsync(reader, Key, 0, original.Length, cancellationToken: Ct)).Received);

        // A range starting at the end, and any range of a zero-byte blob, is the store's typed 416.
        await Assert.ThrowsAsync<RangeNotSatisfiableException>(() => PipeRead.RangeAsync(reader, Key, original.Length, 1, cancellationToken: Ct));
        await Assert.ThrowsAsync<RangeNotSatisfiableException>(() => PipeRead.RangeAsync(reader, empty, 0, 1, cancellationToken: Ct));
        await Assert.ThrowsAsync<BlobNotFoundException>(() => PipeRead.RangeAsync(reader, BlobKey.Parse("ann/none"), 0, 1, cancellationToken: Ct));
        Assert.Equal(0, stores.Store.OpenStreams);
    }

    [Fact]
    public async Task Arguments_and_options_are_checked_when_given_and_copied()
    {
        var store = new CountingBlobStore(new Storage.InMemory.InMemoryBlobStore());
        Assert.Equal("options.ChunkSize", Assert.Throws<ArgumentOutOfRangeException>(() => new BlobRangeReader(store, new BlobRangeReaderOptions { ChunkSize = 100 })).ParamName);
        Assert.Equal("options.ChunkSize", Assert.Throws<ArgumentOutOfRangeException>(() => new BlobRangeReader(store, new BlobRangeReaderOptions { ChunkSize = int.MaxValue })).ParamName);
        Assert.Equal("options.ReadAheadChunks", Assert.Throws<ArgumentOutOfRangeException>(() => new BlobRangeReader(store, new BlobRangeReaderOptions { ReadAheadChunks = 0 })).ParamName);
        Assert.Equal("options.ReadAheadChunks", Assert.Throws<ArgumentOutOfRangeException>(() => new BlobRangeReader(store, new BlobRangeReaderOptions { ReadAheadChunks = 1000 })).ParamName);
        Assert.Throws<ArgumentNullException>(() => new BlobRangeReader(null!));

        var reader = new BlobRangeReader(store);
        var pipe = new Pipe();
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => reader.WriteRangeAsync(Key, -1, 1, pipe.Writer, cancellationToken: Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => reader.WriteRangeAsync(Key, 0, -1, pipe.Writer, cancellationToken: Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => reader.WriteRangeAsync(Key, long.MaxValue, 2, pipe.Writer, cancellationToken: Ct));
        await Assert.ThrowsAsync<ArgumentNullException>(() => reader.WriteRangeAsync(Key, 0, 1, null!, cancellationToken: Ct));
        Assert.Equal(0, store.Reads);
    }

    [Fact]
    public async Task A_consumer_that_stops_mid_stream_stops_the_storage_read_and_every_buffer_goes_back()
    {
        var store = new CountingBlobStore(new Storage.InMemory.InMemoryBlobStore());
        byte[] original = TestData.Bytes(8 * 1024 * 1024, seed: 5);
        await store.PutBytesAsync(Key, original, cancellationToken: Ct);
        var pool = new TrackingArrayPool();
        const int Chunk = 16 * 1024;
        var reader = new BlobRangeReader(store, new BlobRangeReaderOptions { ChunkSize = Chunk, ReadAheadChunks = 2, BufferPool = pool, TimeProvider = SlowStorageClock.Slow });
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: Chunk, resumeWriterThreshold: Chunk / 2, useSynchronizationContext: false));

        var writing = reader.WriteRangeAsync(Key, 0, original.Length, pipe.Writer, cancellationToken: Ct);
        var first = await pipe.Reader.ReadAsync(Ct);
        Assert.True(first.Buffer.FirstSpan.SequenceEqual(original.AsSpan(0, first.Buffer.FirstSpan.Length)));
        pipe.Reader.AdvanceTo(first.Buffer.Start);
        await pipe.Reader.CompleteAsync(); // the client went away

        long written = await writing.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.True(written < original.Length, $"wrote {written} of {original.Length} after the consumer left");
        await store.AllClosed.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct); // the storage stream was disposed
        // Storage was read no further than the read-ahead: the ring of ReadAheadChunks + 2 buffers and what the pipe held.
        Assert.True(store.BytesRead <= (2 + 2 + 2) * Chunk, $"storage read {store.BytesRead} bytes for a consumer that left after {first.Buffer.Length}");
        Assert.Equal(0, pool.Outstanding);
        Assert.Empty(pool.Errors);
    }

    [Fact]
    public async Task Cancellation_stops_a_storage_read_that_waits_and_returns_every_buffer()
    {
        var store = new CountingBlobStore(new Storage.InMemory.InMemoryBlobStore());
        byte[] original = TestData.Bytes(1024 * 1024, seed: 6);
        await store.PutBytesAsync(Key, original, cancellationToken: Ct);
        store.GateAfter = 100_000; // the storage read stalls here, as a slow network would
        var pool = new TrackingArrayPool();
        // Slow storage: with nobody reading the pipe, the reader reads ahead until the storage read meets the gate.
        var reader = new BlobRangeReader(store, new BlobRangeReaderOptions { ChunkSize = 16 * 1024, BufferPool = pool, TimeProvider = SlowStorageClock.Slow });
        var pipe = new Pipe();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var writing = reader.WriteRangeAsync(Key, 0, original.Length, pipe.Writer, cancellationToken: cts.Token);
        await store.ReachedGate.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => writing.WaitAsync(TimeSpan.FromSeconds(30), Ct));
        await store.ReadCancelled.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct); // the storage read itself saw the cancellation
        await store.AllClosed.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Equal(0, pool.Outstanding);
        Assert.Empty(pool.Errors);

        // A token cancelled before the call reads nothing.
        store.ResetCounts();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reader.WriteRangeAsync(Key, 0, 10, pipe.Writer, cancellationToken: cts.Token));
        Assert.Equal(0, store.BytesRead);
        Assert.Equal(0, pool.Outstanding);
    }

    [Fact]
    public async Task A_storage_failure_mid_stream_surfaces_and_returns_every_buffer()
    {
        var store = new CountingBlobStore(new Storage.InMemory.InMemoryBlobStore());
        await store.PutBytesAsync(Key, TestData.Bytes(1024 * 1024, seed: 7), cancellationToken: Ct);
        store.GateAfter = 40_000; // within the read-ahead: nobody reads the pipe here
        var pool = new TrackingArrayPool();
        var reader = new BlobRangeReader(store, new BlobRangeReaderOptions { ChunkSize = 16 * 1024, BufferPool = pool, TimeProvider = SlowStorageClock.Slow });
        var pipe = new Pipe();
        var writing = reader.WriteRangeAsync(Key, 0, 1024 * 1024, pipe.Writer, cancellationToken: Ct);
        await store.ReachedGate.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        store.Gate.SetException(new BlobStoreException(BlobErrorCode.IntegrityCheckFailed, "tampered", Key.Value));

        var ex = await Assert.ThrowsAsync<BlobStoreException>(() => writing.WaitAsync(TimeSpan.FromSeconds(30), Ct));
        Assert.Equal(BlobErrorCode.IntegrityCheckFailed, ex.ErrorCode);
        await store.AllClosed.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Equal(0, pool.Outstanding);
    }

    [Fact]
    public async Task A_slow_reader_never_has_more_than_the_read_ahead_buffered()
    {
        var store = new CountingBlobStore(new Storage.InMemory.InMemoryBlobStore());
        byte[] original = TestData.Bytes(4 * 1024 * 1024, seed: 8);
        await store.PutBytesAsync(Key, original, cancellationToken: Ct);
        const int Chunk = 8 * 1024;
        const int ReadAhead = 3;
        var pool = new TrackingArrayPool();
        var reader = new BlobRangeReader(store, new BlobRangeReaderOptions { ChunkSize = Chunk, ReadAheadChunks = ReadAhead, BufferPool = pool, TimeProvider = SlowStorageClock.Slow });
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: Chunk, resumeWriterThreshold: 1, useSynchronizationContext: false));
        var writing = reader.WriteRangeAsync(Key, 0, original.Length, pipe.Writer, cancellationToken: Ct);

        // Bytes pulled from storage but not yet consumed: the reader's ring of ReadAhead + 2 chunks plus what the pipe
        // may hold before it pauses the writer (its threshold plus the one chunk that crossed it).
        long bound = ((ReadAhead + 2) * Chunk) + (2 * Chunk);
        long consumed = 0, worst = 0;
        var received = new MemoryStream();
        while (true)
        {
            var result = await pipe.Reader.ReadAsync(Ct);
            // A slow reader: it takes at most 1 KiB per read and lets the producer run between reads.
            var take = result.Buffer.Slice(0, Math.Min(1024, result.Buffer.Length));
            foreach (var s in take)
            {
                received.Write(s.Span);
            }

            consumed += take.Length;
            pipe.Reader.AdvanceTo(take.End);
            for (int i = 0; i < 3; i++)
            {
                await Task.Yield();
            }

            worst = Math.Max(worst, store.BytesRead - consumed);
            Assert.True(store.BytesRead - consumed <= bound, $"{store.BytesRead - consumed} bytes buffered ahead of the consumer (bound {bound})");
            if (result.IsCompleted || consumed == original.Length)
            {
                break;
            }
        }

        Assert.Equal(original.Length, await writing);
        Assert.Equal(original, received.ToArray());
        Assert.True(worst > Chunk, $"the read-ahead never ran ahead ({worst} bytes): the test did not exercise it");
        Assert.Equal(0, pool.Outstanding);
        Assert.True(pool.Rents <= ReadAhead + 2, $"{pool.Rents} buffers rented for one range: not reused");
    }

    [Theory]
    [MemberData(nameof(Stores.Kinds), MemberType = typeof(Stores))]
    public async Task Concurrent_reads_while_the_blob_is_overwritten_each_return_one_version(string kind)
    {
        await using var stores = await Stores.CreateAsync(kind);
        const int Size = 300_000;
        static byte[] Version(int v) => Enumerable.Repeat((byte)v, Size).ToArray();
        await stores.Store.PutBytesAsync(Key, Version(1), cancellationToken: Ct);
        var reader = new BlobRangeReader(stores.Store, new BlobRangeReaderOptions { ChunkSize = 4096, ReadAheadChunks = 1 });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        int served = 0, refused = 0;
        using var readersStarted = new CountdownEvent(8);
        var writer = Task.Run(async () =>
        {
            // Overwrites begin once every reader is in its loop, and the readers stop once one read got through: on a busy
            // machine the readers' tasks may otherwise start after the last overwrite.
            await Task.Run(() => readersStarted.Wait(Ct), Ct);
            for (int v = 2; v < 40; v++)
            {
                await stores.Store.PutBytesAsync(Key, Version(v), cancellationToken: Ct);
            }

            while (Volatile.Read(ref served) == 0)
            {
                await Task.Yield();
            }

            await stop.CancelAsync();
        }, Ct);

        var readers = Enumerable.Range(0, 8).Select(r => Task.Run(async () =>
        {
            var random = new Random(r);
            readersStarted.Signal();
            while (!stop.IsCancellationRequested)
            {
                var props = await stores.Store.GetPropertiesAsync(Key, Ct);
                long offset = random.Next(Size - 1);
                long length = random.Next(1, Size - (int)offset);
                try
                {
                    var (written, bytes) = await PipeRead.RangeAsync(reader, Key, offset, length, props.ETag, Ct);
                    Assert.Equal(length, written);
                    Assert.All(bytes, b => Assert.Equal(bytes[0], b)); // never two versions mixed
                    Interlocked.Increment(ref served);
                }
                catch (BlobConditionFailedException)
                {
                    Interlocked.Increment(ref refused); // overwritten between the properties and the read: the pin held
                }
            }
        }, Ct)).ToArray();

        await writer;
        await Task.WhenAll(readers);
        Assert.True(served > 0, $"no read completed ({refused} refused)");
    }
}
