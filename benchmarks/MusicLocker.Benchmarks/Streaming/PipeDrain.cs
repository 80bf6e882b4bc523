using System.IO.Pipelines;

namespace MusicLocker.Benchmarks.Streaming;

/// <summary>The consumer side of every streaming benchmark: one pipe, read to the end on another task, as a socket would.</summary>
internal static class PipeDrain
{
    /// <summary>A pipe with default thresholds (pause at 64 KiB) and a task that reads it to the end.</summary>
    /// <param name="inlineReader">Run the reader's continuations on the writer's thread, inside its flush (no hand-off to
    /// another thread): only to measure what the hand-off costs; a socket's consumer runs on its own thread.</param>
    public static (Pipe Pipe, Task<long> Drained) Start(bool inlineReader = false)
    {
        var pipe = new Pipe(new PipeOptions(readerScheduler: inlineReader ? PipeScheduler.Inline : null, useSynchronizationContext: false));
        return (pipe, DrainAsync(pipe.Reader));
    }

    private static async Task<long> DrainAsync(PipeReader reader)
    {
        long seen = 0;
        while (true)
        {
            var result = await reader.ReadAsync().ConfigureAwait(false);
            seen += result.Buffer.Length;
            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }

        await reader.CompleteAsync().ConfigureAwait(false);
        return seen;
    }
}
