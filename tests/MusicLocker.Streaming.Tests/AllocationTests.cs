using System.IO.Pipelines;
using MusicLocker.Storage;
using MusicLocker.Storage.InMemory;
using MusicLocker.Testing;

namespace MusicLocker.Streaming.Tests;

[CollectionDefinition(nameof(AllocationTests), DisableParallelization = true)]
public sealed class AllocationCollection;

/// <summary>Measures process-wide allocations, so it runs alone.</summary>
[Collection(nameof(AllocationTests))]
public sealed class AllocationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Steady_state_streaming_allocates_nothing_per_chunk()
    {
        var store = new InMemoryBlobStore();
        var key = BlobKey.Parse("ann/alloc.mp3");
        await store.PutBytesAsync(key, TestData.Bytes(32 * 1024 * 1024, seed: 4), cancellationToken: Ct);
        const int Chunk = 16 * 1024;
        var reader = new BlobRangeReader(store, new BlobRangeReaderOptions { ChunkSize = Chunk });

        async Task<long> AllocatedForAsync(long length)
        {
            // Inline schedulers: a pipe on the thread-pool scheduler allocates a work item (~64 B) each time it wakes a
            // waiting side, which happens about once per chunk when the reader waits for the flush (fast storage is not
            // read ahead). That allocation is the pipe's and its scheduler's (Kestrel brings its own), not the reader's.
            var pipe = new Pipe(new PipeOptions(readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline, pauseWriterThreshold: 4 * Chunk, resumeWriterThreshold: 2 * Chunk, useSynchronizationContext: false));
            long before = GC.GetTotalAllocatedBytes(precise: true);
            var writing = reader.WriteRangeAsync(key, 0, length, pipe.Writer, cancellationToken: Ct);
            long seen = 0;
            while (seen < length)
            {
                var r = await pipe.Reader.ReadAsync(Ct);
                seen += r.Buffer.Length;
                pipe.Reader.AdvanceTo(r.Buffer.End);
            }

            await writing;
            return GC.GetTotalAllocatedBytes(precise: true) - before;
        }

        await AllocatedForAsync(Chunk * 8); // warm-up: JIT, pools, statics
        long small = await AllocatedForAsync(Chunk * 16);
        long large = await AllocatedForAsync(Chunk * 1024);
        // Process-wide, so a little noise stays; anything allocated per chunk (a Task, a boxed state machine, a channel
        // waiter, a buffer) costs 72 bytes or more each time.
        double perChunk = (large - small) / (double)(1024 - 16);
        Assert.True(perChunk < 64, $"{perChunk:F0} bytes allocated per chunk ({small} B for 16 chunks, {large} B for 1,024)");
    }
}
