using System.Buffers;
using System.IO.Pipelines;
using MusicLocker.Media;
using MusicLocker.Storage;
using MusicLocker.Streaming.Diagnostics;

namespace MusicLocker.Streaming;

/// <summary>
/// Writes a plaintext byte range of a stored blob into a <see cref="PipeWriter"/> (e.g. <c>HttpResponse.BodyWriter</c>):
/// one ranged read from the store (an <c>EncryptedBlobStore</c> decrypts only the covering chunks), read straight into the
/// pipe's memory while it keeps up, and ahead by at most <see cref="BlobRangeReaderOptions.ReadAheadChunks"/> pooled
/// chunks while the pipe's back-pressure holds a flush. The storage read
/// stops as soon as the consumer goes away (the pipe's reader completes, or the token is cancelled), and every pooled
/// buffer goes back to the pool. Thread-safe: one reader serves any number of concurrent ranges.
/// </summary>
public sealed class BlobRangeReader
{
    /// <summary>
    /// Storage reads at least this long (<see cref="SlowReadsInARow"/> of them in a row) make the reader read ahead while
    /// the pipe is paused; faster ones (page cache, memory) do not. Judged on every read, so a store that slows down
    /// mid-range starts reading ahead two reads later.
    /// </summary>
    internal static readonly TimeSpan SlowRead = TimeSpan.FromMilliseconds(1);

    /// <summary>How many storage reads in a row must take <see cref="SlowRead"/> or more before the reader reads ahead.</summary>
    internal const int SlowReadsInARow = 2;

    private readonly IBlobStore _store;
    private readonly int _chunkSize;
    private readonly int _halfChunk; // the read after one that completed at once (see BlobRangeReaderOptions.ChunkSize)
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
        _halfChunk = Math.Max(BlobRangeReaderOptions.MinChunkSize, options.ChunkSize / 2);
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
                return Streamed(activity, await CopyAsync(download.Content, Math.Min(length, download.Length), default, destination, started, activity, cancellationToken).ConfigureAwait(false));
            }
        }
        catch (Exception ex)
        {
            StreamingTelemetry.Fail(activity, ex);
            throw;
        }
    }

    /// <summary>
    /// A time seek in one storage read (two when a tag of megabytes lies in the interval, see <see cref="TimeSeek"/>): opens a read at the <paramref name="index"/> entry before <paramref name="time"/>
    /// (MP3/ADTS), finds the frame that holds the time in the first interval (as <see cref="TimeSeek.FindFrameAsync"/>
    /// does), asks <paramref name="onFrame"/> which bytes from that frame to send (the caller writes its headers there, now
    /// that the frame is known), and writes them into <paramref name="destination"/> from the same read: the interval's
    /// bytes from a pooled buffer, then the rest as <see cref="WriteRangeAsync"/> does. The pipe is not completed.
    /// </summary>
    /// <param name="key">The track.</param>
    /// <param name="index">The track's seek index.</param>
    /// <param name="time">The time to start at (the first frame for 0, the last frame past the end).</param>
    /// <param name="maxLength">The most bytes from the frame that <paramref name="onFrame"/> may ask for (<see cref="long.MaxValue"/>:
    /// to the end; 0: none, e.g. a HEAD). The read covers the interval plus this; bytes outside it, or more than
    /// <see cref="TimeSeek.MaxTailWindow"/> past the interval, are read with a second storage request.</param>
    /// <param name="onFrame">Called once with the frame; returns the bytes to write, counted from the frame's offset
    /// (<see cref="ByteRange.All"/>: the frame to the end), or <see langword="null"/> for none.</param>
    /// <param name="destination">Where the bytes go.</param>
    /// <param name="ifMatch">The version the index was built from: another version throws <see cref="BlobConditionFailedException"/>.</param>
    /// <param name="cancellationToken">Stops the storage read and the copy.</param>
    /// <returns>The bytes written: the range asked for, fewer when the pipe's reader went away, 0 for none.</returns>
    /// <exception cref="MediaFormatException">The stored bytes are not MP3/ADTS frames where the index points
    /// (<see cref="MediaErrorCode.Corrupt"/>), or the index is empty (<see cref="MediaErrorCode.Empty"/>).</exception>
    /// <exception cref="RangeNotSatisfiableException">The range <paramref name="onFrame"/> returned starts at or past the end.</exception>
    /// <exception cref="BlobConditionFailedException">The blob is not at <paramref name="ifMatch"/>.</exception>
    /// <exception cref="BlobStoreException">Any other storage failure.</exception>
    public async Task<long> WriteFromTimeAsync(BlobKey key, SeekIndex index, TimeSpan time, long maxLength, Func<SeekPoint, ByteRange?> onFrame, PipeWriter destination, ETag? ifMatch = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(onFrame);
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentOutOfRangeException.ThrowIfNegative(maxLength);
        long started = _time.GetTimestamp();
        long offset, length;
        var window = await TimeSeek.OpenWindowAsync(_store, key, index, time, maxLength, ifMatch, _pool, cancellationToken).ConfigureAwait(false);
        await using (window.ConfigureAwait(false))
        {
            var frame = window.Frame;
            long rest = window.Download.Properties.Length - frame.ByteOffset;
            if (onFrame(frame) is not { } range)
            {
                return 0;
            }

            if (!range.TryResolve(rest, out offset, out length))
            {
                throw new RangeNotSatisfiableException(key.Value, range, rest);
            }

            offset += frame.ByteOffset;
            if (CanContinue(window, offset, length))
            {
                using var activity = StreamingTelemetry.StartRange(key, offset, length);
                try
                {
                    var (prefix, start, count) = await window.SeekAsync(offset, cancellationToken).ConfigureAwait(false);
                    count = (int)Math.Min(count, length);
                    return Streamed(activity, await CopyAsync(window.Download.Content, length - count, new Prefix(prefix, start, count), destination, started, activity, cancellationToken).ConfigureAwait(false));
                }
                catch (Exception ex)
                {
                    StreamingTelemetry.Fail(activity, ex);
                    throw;
                }
            }
        }

        // The range lies outside the open read (a suffix, or far past the frame): a range read of its own.
        return await WriteRangeAsync(key, offset, length, destination, ifMatch, cancellationToken).ConfigureAwait(false);
    }

    private static long Streamed(System.Diagnostics.Activity? activity, long written)
    {
        activity?.SetTag("musiclocker.bytes", written);
        StreamingTelemetry.BytesStreamed.Add(written);
        return written;
    }

    /// <summary>Whether [offset, offset + length) can be written from the window's open read: inside it, and not far past the window.</summary>
    private static bool CanContinue(FrameWindow window, long offset, long length)
    {
        long end = offset + length;
        bool reachesBlobEnd = window.ReadEnd == window.Download.Properties.Length;
        return offset < window.ReadEnd && offset - window.BufferedEnd <= TimeSeek.MaxTailWindow && (end <= window.ReadEnd || reachesBlobEnd);
    }

    /// <summary>
    /// Copies <paramref name="length"/> bytes of <paramref name="content"/> into the pipe. While the pipe keeps up, each
    /// storage read lands straight in the pipe's own memory (no copy, no hand-off between tasks: what a
    /// <c>FileStream</c> → <c>PipeWriter</c> copy does). While a flush waits for a slow consumer, the storage read goes on
    /// into at most <c>ReadAheadChunks</c> pooled buffers, which are copied into the pipe, in order, once it drains.
    /// </summary>
    /// <remarks>
    /// An earlier version always read through a ring of pooled buffers handed over a bounded channel to the writer: one
    /// extra copy and two task hand-offs per chunk, which made a 1 MiB range cost ~1.9× a plain FileStream → PipeWriter
    /// copy of the same bytes (<c>Streaming/RangeReaderFileSystemBenchmarks</c>).
    /// </remarks>
    private async Task<long> CopyAsync(Stream content, long length, Prefix prefix, PipeWriter destination, long started, System.Diagnostics.Activity? activity, CancellationToken cancellationToken)
    {
        ReadAhead? ahead = null;
        long remaining = length;
        long written = 0;
        bool ended = false;
        int slowReads = 0; // consecutive storage reads that took SlowRead or more
        bool immediate = false; // the last storage read completed at once: CPU work on this thread, not a wait
        try
        {
            while (true)
            {
                int count;
                if (prefix.Count > 0)
                {
                    // Bytes already read (a time seek's window): written first, and the pooled buffer returned once written.
                    count = Math.Min(prefix.Count, _chunkSize);
                    prefix.Buffer.AsSpan(prefix.Start, count).CopyTo(destination.GetSpan(count));
                    prefix = prefix.Count == count ? Release(prefix) : prefix with { Start = prefix.Start + count, Count = prefix.Count - count };
                }
                else if (ahead is not null && ahead.TryDequeue(out var buffer, out count))
                {
                    buffer.AsSpan(0, count).CopyTo(destination.GetSpan(count));
                }
                else if (remaining > 0 && !ended)
                {
                    // After a read that completed at once, half a chunk: its flush stays under a 64 KiB pause threshold and
                    // returns, so the next read (a decryption) runs while the consumer sends this one.
                    int size = immediate ? _halfChunk : _chunkSize;
                    var memory = destination.GetMemory(size);
                    long before = _time.GetTimestamp();
                    var reading = content.ReadAsync(memory[..(int)Math.Min(Math.Min(memory.Length, size), remaining)], cancellationToken);
                    immediate = reading.IsCompleted;
                    count = await reading.ConfigureAwait(false);
                    slowReads = _time.GetElapsedTime(before) >= SlowRead ? slowReads + 1 : 0;
                    remaining -= count;
                    ended = count == 0; // the blob ended first (the store clamps the range)
                }
                else
                {
                    return written;
                }

                if (count == 0)
                {
                    continue;
                }

                destination.Advance(count);
                var flushing = destination.FlushAsync(cancellationToken);

                // The consumer is behind and storage is slow: read ahead while it drains, up to ReadAheadChunks buffers.
                // Storage that answers within SlowRead (a warm file, memory) is read after the flush instead: the pipe
                // still holds what it buffers below its resume threshold, and reading ahead would only copy every
                // chunk twice (1.27–1.39× a FileStream → PipeWriter copy with read-ahead on every pause). Slow means
                // two reads in a row: one read of a warm file held up by the scheduler (a busy machine) is not a slow store.
                while (slowReads >= SlowReadsInARow && !flushing.IsCompleted && remaining > 0 && !ended && (ahead ??= new ReadAhead(_pool, _readAhead, _chunkSize)).TryReserve(out var spare))
                {
                    long before = _time.GetTimestamp();
                    int n = await content.ReadAsync(spare.AsMemory(0, (int)Math.Min(Math.Min(spare.Length, _chunkSize), remaining)), cancellationToken).ConfigureAwait(false);
                    slowReads = _time.GetElapsedTime(before) >= SlowRead ? slowReads + 1 : 0;
                    remaining -= n;
                    ended = n == 0;
                    ahead.Enqueue(n);
                }

                var flush = await flushing.ConfigureAwait(false);
                if (written == 0)
                {
                    double ttfb = _time.GetElapsedTime(started).TotalSeconds;
                    StreamingTelemetry.TimeToFirstByte.Record(ttfb);
                    activity?.SetTag("musiclocker.streaming.time_to_first_byte", ttfb);
                }

                written += count;
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    return written; // the consumer went away: the caller disposes the storage stream
                }
            }
        }
        finally
        {
            Release(prefix);
            ahead?.Return();
        }
    }

    private Prefix Release(Prefix prefix)
    {
        if (prefix.Buffer is { } buffer)
        {
            _pool.Return(buffer);
        }

        return default;
    }

    /// <summary>Bytes already read from the storage stream, in a buffer rented from the reader's pool, written before the stream's.</summary>
    private readonly record struct Prefix(byte[]? Buffer, int Start, int Count);

    /// <summary>
    /// The read-ahead buffers: a queue of up to <c>capacity</c> pooled buffers filled while the pipe was paused. Buffers
    /// are rented on first use and reused; <see cref="Return"/> gives every one back.
    /// </summary>
    private sealed class ReadAhead(ArrayPool<byte> pool, int capacity, int chunkSize)
    {
        private readonly byte[]?[] _buffers = new byte[]?[capacity];
        private readonly int[] _counts = new int[capacity];
        private int _head;
        private int _count;

        /// <summary>A free buffer to read into (the next slot after the queued ones), or false when all are queued.</summary>
        public bool TryReserve(out byte[] buffer)
        {
            if (_count == _buffers.Length)
            {
                buffer = null!;
                return false;
            }

            int slot = (_head + _count) % _buffers.Length;
            buffer = _buffers[slot] ??= pool.Rent(chunkSize);
            return true;
        }

        /// <summary>Queues the reserved buffer with the <paramref name="count"/> bytes read into it (0: nothing, not queued).</summary>
        public void Enqueue(int count)
        {
            if (count > 0)
            {
                _counts[(_head + _count) % _buffers.Length] = count;
                _count++;
            }
        }

        public bool TryDequeue(out byte[] buffer, out int count)
        {
            if (_count == 0)
            {
                buffer = null!;
                count = 0;
                return false;
            }

            buffer = _buffers[_head]!;
            count = _counts[_head];
            _head = (_head + 1) % _buffers.Length;
            _count--;
            return true;
        }

        public void Return()
        {
            for (int i = 0; i < _buffers.Length; i++)
            {
                if (_buffers[i] is { } buffer)
                {
                    _buffers[i] = null;
                    pool.Return(buffer);
                }
            }
        }
    }
}
