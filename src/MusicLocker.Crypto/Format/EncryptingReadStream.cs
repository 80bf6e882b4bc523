using System.Buffers;

namespace MusicLocker.Crypto.Format;

/// <summary>
/// A read-only stream that yields the ciphertext of a plaintext source as it is read: the header, then one chunk per
/// 16 KiB of source, so a put streams through it without buffering more than one chunk.
/// </summary>
/// <remarks>
/// Whole objects (<see cref="EncryptMode.WholeMessage"/>) always end with a short final chunk, empty when the plaintext
/// is a multiple of 16 KiB (C2SP §Message chunking). A multipart part (<see cref="EncryptMode.Part"/>) whose length is a
/// multiple of 16 KiB ends without one, so the next part continues the chunk sequence; a shorter part ends with it.
/// </remarks>
internal sealed class EncryptingReadStream : ChunkReadStream
{
    private readonly Stream _source;
    private readonly ChunkCipher _cipher;
    private readonly EncryptMode _mode;
    private readonly long _maxPlaintext;
    private byte[]? _plain;
    private byte[]? _pending;
    private int _pendingStart;
    private int _pendingEnd;
    private long _nextChunk;
    private bool _sourceEnded;

    public EncryptingReadStream(Stream source, ChunkCipher cipher, ReadOnlySpan<byte> header, long firstChunk, EncryptMode mode, long maxPlaintext = long.MaxValue)
    {
        _source = source;
        _cipher = cipher;
        _mode = mode;
        _maxPlaintext = maxPlaintext;
        _nextChunk = firstChunk;
        _plain = ArrayPool<byte>.Shared.Rent(CiphertextLayout.ChunkSize);
        _pending = ArrayPool<byte>.Shared.Rent(Math.Max(CiphertextLayout.EncryptedChunkSize, header.Length));
        header.CopyTo(_pending);
        _pendingEnd = header.Length;
    }

    /// <summary>The plaintext bytes read from the source so far.</summary>
    public long PlaintextLength { get; private set; }

    /// <summary>Whether the short final chunk was written (always, for a whole message, once the source ended).</summary>
    public bool WroteFinalChunk { get; private set; }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            ReturnBuffers();
            _cipher.Dispose();
        }

        base.Dispose(disposing);
    }

    protected override async ValueTask<int> ReadCoreAsync(Memory<byte> destination, bool useAsync, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_plain is null || _pending is null, this);
        if (destination.IsEmpty)
        {
            return 0;
        }

        // Fill the caller's buffer with as many whole chunks as fit, each encrypted straight into it; only a chunk that
        // does not fit goes through the pending buffer.
        int written = 0;
        while (written < destination.Length)
        {
            if (_pendingStart < _pendingEnd)
            {
                int n = Math.Min(destination.Length - written, _pendingEnd - _pendingStart);
                _pending.AsSpan(_pendingStart, n).CopyTo(destination.Span[written..]);
                _pendingStart += n;
                written += n;
                continue;
            }

            if (_sourceEnded || (written > 0 && destination.Length - written < CiphertextLayout.EncryptedChunkSize))
            {
                break;
            }

            int read = useAsync
                ? await _source.ReadAtLeastAsync(_plain.AsMemory(0, CiphertextLayout.ChunkSize), CiphertextLayout.ChunkSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false)
                : _source.ReadAtLeast(_plain.AsSpan(0, CiphertextLayout.ChunkSize), CiphertextLayout.ChunkSize, throwOnEndOfStream: false);
            PlaintextLength += read;
            if (PlaintextLength > _maxPlaintext)
            {
                throw new EncryptionException(EncryptionErrorCode.CiphertextInvalid, $"The part is longer than the upload's part size of {_maxPlaintext} bytes; every part but the last must be exactly that size.");
            }

            if (read < CiphertextLayout.ChunkSize)
            {
                _sourceEnded = true;
                if (_mode == EncryptMode.Part && read == 0)
                {
                    break;
                }

                WroteFinalChunk = true;
            }

            int encryptedLength = read + CiphertextLayout.TagSize;
            if (destination.Length - written >= encryptedLength)
            {
                _cipher.Encrypt(_nextChunk++, _plain.AsSpan(0, read), destination.Span[written..]);
                written += encryptedLength;
                continue;
            }

            _cipher.Encrypt(_nextChunk++, _plain.AsSpan(0, read), _pending);
            _pendingStart = 0;
            _pendingEnd = encryptedLength;
        }

        return written;
    }

    private void ReturnBuffers()
    {
        if (_plain is not null)
        {
            ArrayPool<byte>.Shared.Return(_plain, clearArray: true);
            _plain = null;
        }

        if (_pending is not null)
        {
            ArrayPool<byte>.Shared.Return(_pending);
            _pending = null;
        }
    }
}

/// <summary>How an <see cref="EncryptingReadStream"/> ends.</summary>
internal enum EncryptMode
{
    /// <summary>A whole message: always ends with a short final chunk.</summary>
    WholeMessage,

    /// <summary>A multipart part: ends with a final chunk only when its length is not a multiple of 16 KiB.</summary>
    Part,
}
