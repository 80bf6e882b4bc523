using System.Buffers;
using MusicLocker.Media;
using MusicLocker.Storage;

namespace MusicLocker.Streaming;

/// <summary>
/// An open storage read that starts at a seek-index entry (or, past a long tag, in the tail of its interval) at
/// <paramref name="start"/>, with the first bytes of it (the window) read into a pooled buffer and the frame that holds a
/// time found in them. The read goes on past the window, so a time seek streams from the
/// frame without a second storage request. Disposing returns the buffer (unless handed on) and closes the read.
/// </summary>
internal sealed class FrameWindow(BlobDownload download, byte[] buffer, ArrayPool<byte> pool, long start) : IAsyncDisposable
{
    private byte[]? _buffer = buffer;
    private int _filled;
    private bool _disposed;

    /// <summary>The storage read, positioned at <see cref="BufferedEnd"/>.</summary>
    public BlobDownload Download { get; } = download;

    /// <summary>The frame that holds the time.</summary>
    public SeekPoint Frame { get; set; }

    /// <summary>The window's bytes, from the read's start.</summary>
    public ReadOnlySpan<byte> Bytes => _buffer.AsSpan(0, _filled);

    /// <summary>The blob position after the window's bytes: where the storage read goes on.</summary>
    public long BufferedEnd => start + _filled;

    /// <summary>The blob position where the storage read ends (the opened range, clamped at the end of the blob).</summary>
    public long ReadEnd => Download.Offset + Download.Length;

    /// <summary>Reads up to <paramref name="want"/> bytes into the buffer (fewer when the blob ends first).</summary>
    public async Task FillAsync(int want, CancellationToken cancellationToken)
    {
        int n;
        while (_filled < want && (n = await Download.Content.ReadAsync(_buffer.AsMemory(_filled, want - _filled), cancellationToken).ConfigureAwait(false)) > 0)
        {
            _filled += n;
        }
    }

    /// <summary>
    /// Positions the read at <paramref name="offset"/> (at or after the read's start): the buffered bytes from there on are the
    /// returned prefix (its buffer now the caller's, to return to the pool), or bytes after the window are read and dropped.
    /// </summary>
    /// <returns>The buffer holding the prefix (its first byte at <c>Start</c>, <c>Count</c> bytes), or a <see langword="null"/> buffer (no prefix).</returns>
    public async Task<(byte[]? Buffer, int Start, int Count)> SeekAsync(long offset, CancellationToken cancellationToken)
    {
        long skip = offset - BufferedEnd;
        if (skip < 0)
        {
            int from = (int)(offset - start);
            var handed = _buffer;
            _buffer = null;
            return (handed, from, _filled - from);
        }

        while (skip > 0)
        {
            int n = await Download.Content.ReadAsync(_buffer.AsMemory(0, (int)Math.Min(skip, _buffer!.Length)), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            skip -= n;
        }

        return (null, 0, 0);
    }

    /// <summary>Returns the buffer (unless handed on) and closes the read; a second call does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_buffer is { } owned)
        {
            _buffer = null;
            pool.Return(owned);
        }

        if (!_disposed)
        {
            _disposed = true;
            await Download.DisposeAsync().ConfigureAwait(false);
        }
    }
}
