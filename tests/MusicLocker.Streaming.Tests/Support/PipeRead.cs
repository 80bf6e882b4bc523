using System.IO.Pipelines;
using MusicLocker.Storage;

namespace MusicLocker.Streaming.Tests.Support;

internal static class PipeRead
{
    /// <summary>Writes a range into a fresh pipe (default options unless given) and reads it out whole: (bytes written as reported, bytes received).</summary>
    public static Task<(long Written, byte[] Received)> RangeAsync(BlobRangeReader reader, BlobKey key, long offset, long length, ETag? ifMatch = null, CancellationToken cancellationToken = default, PipeOptions? options = null) =>
        AllAsync(writer => reader.WriteRangeAsync(key, offset, length, writer, ifMatch, cancellationToken), cancellationToken, options);

    /// <summary>Runs <paramref name="write"/> into a fresh pipe, completes it, and reads it out whole: (bytes written as reported, bytes received).</summary>
    public static async Task<(long Written, byte[] Received)> AllAsync(Func<PipeWriter, Task<long>> write, CancellationToken cancellationToken = default, PipeOptions? options = null)
    {
        var pipe = new Pipe(options ?? PipeOptions.Default);
        var writing = Task.Run(async () =>
        {
            try
            {
                long n = await write(pipe.Writer);
                await pipe.Writer.CompleteAsync();
                return n;
            }
            catch (Exception ex)
            {
                await pipe.Writer.CompleteAsync(ex);
                throw;
            }
        }, cancellationToken);

        var received = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await pipe.Reader.ReadAsync(cancellationToken);
                foreach (var segment in result.Buffer)
                {
                    received.Write(segment.Span);
                }

                pipe.Reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch when (writing.IsFaulted || writing.IsCanceled)
        {
        }

        long written = await writing;
        await pipe.Reader.CompleteAsync();
        return (written, received.ToArray());
    }
}
