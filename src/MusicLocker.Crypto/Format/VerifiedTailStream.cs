using System.Buffers;

namespace MusicLocker.Crypto.Format;

/// <summary>
/// Holds back a short range that ends with the final chunk until every chunk of it — the final one included — has
/// verified, so a suffix read (an ID3v1 tag, an MP4 index at the end) releases nothing before the object's length is
/// authenticated. Used for ranges of at most <see cref="MaxLength"/> bytes; longer ones release each verified chunk.
/// </summary>
internal sealed class VerifiedTailStream(DecryptingReadStream inner, int length) : ChunkReadStream
{
    /// <summary>The longest range held back (four chunks).</summary>
    public const int MaxLength = 4 * CiphertextLayout.ChunkSize;

    private byte[]? _buffer;
    private int _start;
    private int _end = -1;

    protected override async ValueTask<int> ReadCoreAsync(Memory<byte> destination, bool useAsync, CancellationToken cancellationToken)
    {
        if (_end < 0)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, length));
            int filled = 0;
            while (filled < length)
            {
                int n = useAsync
                    ? await inner.ReadAsync(_buffer.AsMemory(filled, length - filled), cancellationToken).ConfigureAwait(false)
                    : inner.Read(_buffer, filled, length - filled);
                if (n == 0)
                {
                    break;
                }

                filled += n;
            }

            // Synchronous reads stay synchronous down to the source: no blocking on an asynchronous network read.
            await inner.VerifyRemainingAsync(useAsync, cancellationToken).ConfigureAwait(false);

            _end = filled;
        }

        int count = Math.Min(destination.Length, _end - _start);
        _buffer.AsSpan(_start, count).CopyTo(destination.Span);
        _start += count;
        return count;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            if (_buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(_buffer, clearArray: true);
                _buffer = null;
            }

            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
