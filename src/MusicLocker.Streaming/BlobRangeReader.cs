using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Channels;
using MusicLocker.Storage;
using MusicLocker.Streaming.Diagnostics;

namespace MusicLocker.Streaming;

/// <summary>
/// Writes a plaintext byte range of a stored blob into a <see cref="PipeWriter"/> (e.g. <c>HttpResponse.BodyWriter</c>):
/// one ranged read from the store (an <c>EncryptedBlobStore</c> decrypts only the covering chunks), read ahead by at most
/// <see cref="BlobRangeReaderOptions.ReadAheadChunks"/> pooled chunks, paced by the pipe's back-pressure. The storage read
/// stops as soon as the consumer goes away (the pipe's reader completes, or the token is cancelled), and every pooled
/// buffer goes back to the pool. Thread-safe: one reader serves any number of concurrent ranges.
/// </summary>
public sealed class BlobRangeReader
{
    private readonly IBlobStore _store;
    private readonly int _chunkSize;
    private readonly int _readAhead;
    private readonly ArrayPool<byte> _pool;
    private readonly TimeProvider _time;

    /// <summary>Creates a reader over <paramref name="store"/> (plain or encrypted).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (named <c>options.ChunkSize</c> / <c>options.ReadAheadChunks</c>).</exception>
    public BlobRangeReader(IBlobStore store, BlobRangeReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        options ??= new BlobRangeReaderOptions();
        if (options.ChunkSize is < BlobRangeReaderOptions.MinChunkSize or > BlobRangeReaderOptions.MaxChunkSize)
        {
            throw new ArgumentOutOfRangeException("options.ChunkSize", options.ChunkSize, $"ChunkSize must be {BlobRangeReaderOptions.MinChunkSize} to {BlobRangeReaderOptions.MaxChunkSize} bytes.");
        }

        if (options.ReadAheadChunks is < 1 or > BlobRangeReaderOptions.MaxReadAheadChunks)
        {
            throw new ArgumentOutOfRangeException("options.ReadAheadChunks", options.ReadAheadChunks, $"ReadAheadChunks must be 1 to {BlobRangeReaderOptions.MaxReadAheadChunks}.");
        }

        _store = store;
        _chunkSize = options.ChunkSize;
        _readAhead = options.ReadAheadChunks;
        _pool = options.BufferPool ?? ArrayPool<byte>.Shared;
        _time = options.TimeProvider ?? TimeProvider.System;
    }

    /// <summary>
    /// Writes <paramref name="length"/> bytes of <paramref name="key"/> from <paramref name="offset"/> into
    /// <paramref name="destination"/> and flushes them. The pipe is not completed: the caller owns it.
    /// </summary>
    /// <param name="key">The blob.</param>
    /// <param name="offset">The first plaintext byte.</param>
    /// <param name="length">The number of bytes; 0 writes nothing and reads nothing from storage.</param>
    /// <param name="destination">Where the bytes go.</param>
    /// <param name="ifMatch">Read only this version (HTTP <c>If-Range</c>/<c>If-Match</c> upstream): another version throws
    /// <see cref="BlobConditionFailedException"/> before any byte is written.</param>
    /// <param name="cancellationToken">Stops the storage read and the copy.</param>
    /// <returns>The bytes written: <paramref name="length"/>, fewer when the blob ends first, or fewer when the pipe's reader
    /// completed (went away) before the end.</returns>
    /// <exception cref="BlobNotFoundException">No blob has the key.</exception>
    /// <exception cref="RangeNotSatisfiableException"><paramref name="offset"/> is at or past the end of the blob.</exception>
    /// <exception cref="BlobConditionFailedException">The blob is not at <paramref name="ifMatch"/>.</exception>
    /// <exception cref="BlobStoreException">Any other storage failure (e.g. <see cref="BlobErrorCode.IntegrityCheckFailed"/>).</exception>
    public async Task<long> WriteRangeAsync(BlobKey key, long offset, long length, PipeWriter destination, ETag? ifMatch = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length > long.MaxValue - offset)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "offset + length overflows a 64-bit position.");
        }

        using var activity = StreamingTelemetry.StartRange(key, offset, length);
        if (length == 0)
        {
            activity?.SetTag("musiclocker.bytes", 0L);
            return 0;
        }

        long started = _time.GetTimestamp();
        try
        {
            var download = await _store.OpenReadAsync(key, new ReadBlobOptions { Range = new ByteRange(offset, length), IfMatch = ifMatch }, cancellationToken).ConfigureAwait(false);
            await using (download.ConfigureAwait(false))
            {
                long written = await CopyAsync(download.Content, Math.Min(length, download.Length), destination, started, activity, cancellationToken).ConfigureAwait(false);
                activity?.SetTag("musiclocker.bytes", written);
                StreamingTelemetry.BytesStreamed.Add(written);
                return written;
            }
        }
        catch (Exception ex)
        {
            StreamingTelemetry.Fail(activity, ex);
            throw;
        }
    }

    private async Task<long> CopyAsync(Stream content, long length, PipeWriter destination, long started, System.Diagnostics.Activity? activity, CancellationToken cancellationToken)
    {
        // A producer reads storage into a ring of ReadAheadChunks + 2 pooled buffers; this method copies each filled chunk
        // into the pipe and flushes it. The bounded channel is the read-ahead: with ReadAheadChunks chunks waiting, the
        // producer waits for the pipe to drain. A buffer is reused only after the consumer has moved past it: the producer
        // holds one, the channel at most ReadAheadChunks, the consumer one.
        var buffers = new byte[]?[_readAhead + 2];
        var chunks = Channel.CreateBounded<Chunk>(new BoundedChannelOptions(_readAhead) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        // The channel is waited on without a token (a cancellable wait allocates per wait); cancellation completes it
        // instead, which wakes both sides.
        using var wake = stop.Token.UnsafeRegister(static state =>
        {
            var (writer, token) = ((ChannelWriter<Chunk>, CancellationToken))state!;
            writer.TryComplete(new OperationCanceledException(token));
        }, (chunks.Writer, stop.Token));
        var producer = ProduceAsync(content, length, buffers, chunks.Writer, stop.Token);
        long written = 0;
        try
        {
            while (await chunks.Reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                while (chunks.Reader.TryRead(out var chunk))
                {
                    var source = buffers[chunk.Buffer].AsSpan(0, chunk.Count);
                    source.CopyTo(destination.GetSpan(chunk.Count));
                    destination.Advance(chunk.Count);
                    var flush = await destination.FlushAsync(stop.Token).ConfigureAwait(false);
                    if (written == 0)
                    {
                        double ttfb = _time.GetElapsedTime(started).TotalSeconds;
                        StreamingTelemetry.TimeToFirstByte.Record(ttfb);
                        activity?.SetTag("musiclocker.streaming.time_to_first_byte", ttfb);
                    }

                    written += chunk.Count;
                    if (flush.IsCompleted || flush.IsCanceled)
                    {
                        return written; // the consumer went away: the finally stops the storage read
                    }
                }
            }

            return written;
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await producer.ConfigureAwait(false); // never throws; its failure reached us through the channel
            foreach (var buffer in buffers)
            {
                if (buffer is not null)
                {
                    _pool.Return(buffer);
                }
            }
        }
    }

    private async Task ProduceAsync(Stream content, long length, byte[]?[] buffers, ChannelWriter<Chunk> chunks, CancellationToken cancellationToken)
    {
        await Task.Yield(); // let the consumer start waiting; the first read runs beside it
        Exception? failure = null;
        try
        {
            long remaining = length;
            for (int i = 0; remaining > 0; i = (i + 1) % buffers.Length)
            {
                var buffer = buffers[i] ??= _pool.Rent(_chunkSize);
                int want = (int)Math.Min(Math.Min(buffer.Length, _chunkSize), remaining);
                int n = await content.ReadAsync(buffer.AsMemory(0, want), cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    break; // the blob ended first (the store clamps the range)
                }

                remaining -= n;
                await chunks.WriteAsync(new Chunk(i, n), CancellationToken.None).ConfigureAwait(false); // woken by the registration on cancellation
            }
        }
#pragma warning disable CA1031 // every failure is handed to the consumer through the channel, which rethrows it
        catch (Exception ex)
#pragma warning restore CA1031
        {
            failure = ex;
        }

        chunks.TryComplete(failure);
    }

    private readonly record struct Chunk(int Buffer, int Count);
}
