using System.Buffers;
using MusicLocker.Storage;

namespace MusicLocker.Crypto.Format;

/// <summary>
/// A read-only stream that decrypts consecutive chunks of a C2SP message from a ciphertext stream and releases a
/// chunk's plaintext only after its tag verified. Errors are sticky: once a read failed, every later read fails too.
/// </summary>
/// <remarks>
/// With a known message length (<see cref="DecryptWindow.FinalChunk"/> ≥ 0) each chunk's stored length follows from its
/// index. Without one (a pure stream), a read of a whole 16 400-byte chunk is a middle chunk and a shorter one is the
/// final chunk, after which the source must end (C2SP §Implementation notes).
/// <para>Ciphertext is read from the source in batches of up to <see cref="BatchChunks"/> chunks (one read of ~112 KiB, the
/// header included when the window starts at chunk 0), and one <c>ReadAsync</c> decrypts every buffered chunk that fits
/// the caller's buffer straight into it. Reading one 16 KiB chunk per source read and returning one chunk per call made a
/// 1 MiB range 64 source reads (64 thread-pool hops on the file-system store) and 64 trips through every stream layer:
/// the streaming decrypt measured 1.25× raw AES-GCM where the same chunks decrypted in memory measured 1.05×.</para>
/// <para>A source whose bytes already sit in memory that never changes (<see cref="IReadOnlyMemoryLender"/>, the in-memory
/// store) lends each batch instead, and the chunks are decrypted straight from its memory: copying them out first cost
/// about a fifth of raw AES-GCM's time over the same bytes, since the copy, not the cipher, paid for bringing them into
/// the cache. A batch the source cannot lend in one piece (it crosses one of the store's memory chunks) is copied.</para>
/// </remarks>
internal sealed class DecryptingReadStream : ChunkReadStream
{
    private readonly Stream _source;
    private readonly ChunkCipher _cipher;
    private readonly DecryptWindow _window;
    private readonly string? _key;
    private readonly bool _leaveOpen;

    /// <summary>Whole stored chunks one source read takes at most: 7 × 16,400 bytes plus a header fit a 128 KiB pooled array.</summary>
    internal const int BatchChunks = 7;

    private byte[]? _encrypted;
    private ReadOnlyMemory<byte> _batch; // the ciphertext read last: in _encrypted, or lent by the source
    private bool _batchLent;
    private int _cipherStart;
    private int _cipherEnd;
    private bool _sourceEnded;
    private byte[]? _plain;
    private int _plainStart;
    private int _plainEnd;
    private long _nextChunk;
    private long _skip;
    private long _remaining;
    private bool _headerChecked;
    private bool _finished;
    private EncryptionException? _failure;

    public DecryptingReadStream(Stream source, ChunkCipher cipher, DecryptWindow window, string? key = null, bool leaveOpen = false)
    {
        _source = source;
        _cipher = cipher;
        _window = window;
        _key = key;
        _leaveOpen = leaveOpen;
        _nextChunk = window.FirstChunk;
        _skip = window.Skip;
        _remaining = window.Take;
        _headerChecked = window.ExpectedHeader.IsEmpty;
        _encrypted = ArrayPool<byte>.Shared.Rent((BatchChunks * CiphertextLayout.EncryptedChunkSize) + CiphertextLayout.HeaderSize);
        _plain = ArrayPool<byte>.Shared.Rent(CiphertextLayout.ChunkSize);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _batch = default;
            if (_encrypted is not null)
            {
                ArrayPool<byte>.Shared.Return(_encrypted);
                _encrypted = null;
            }

            if (_plain is not null)
            {
                ArrayPool<byte>.Shared.Return(_plain, clearArray: true);
                _plain = null;
            }

            _cipher.Dispose();
            if (!_leaveOpen)
            {
                _source.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_leaveOpen)
        {
            await _source.DisposeAsync().ConfigureAwait(false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Decrypts and authenticates the window's remaining chunks, releasing nothing more (to authenticate a length).</summary>
    /// <remarks>With <paramref name="useAsync"/> false it reads synchronously and never awaits (for a synchronous <c>Read</c>).</remarks>
    public async ValueTask VerifyRemainingAsync(bool useAsync, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_plain is null, this);
        while (_failure is null && !_finished)
        {
            try
            {
                await NextChunkAsync(Memory<byte>.Empty, useAsync, cancellationToken).ConfigureAwait(false);
            }
            catch (EncryptionException ex)
            {
                _failure = ex;
            }
        }

        _plainStart = _plainEnd;
        if (_failure is not null)
        {
            throw _failure;
        }
    }

    protected override async ValueTask<int> ReadCoreAsync(Memory<byte> destination, bool useAsync, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_plain is null || _encrypted is null, this);
        if (_failure is not null)
        {
            throw _failure;
        }

        cancellationToken.ThrowIfCancellationRequested();
        while (true)
        {
            if (_plainStart < _plainEnd)
            {
                int n = Math.Min(destination.Length, _plainEnd - _plainStart);
                _plain.AsSpan(_plainStart, n).CopyTo(destination.Span);
                _plainStart += n;
                return n;
            }

            // Chunks are read to the last one of the window even when no plaintext is left to deliver, so an empty read
            // of an empty object still authenticates its final chunk.
            if (_finished || destination.IsEmpty)
            {
                return 0;
            }

            int direct = 0;
            try
            {
                direct = await NextChunkAsync(destination, useAsync, cancellationToken).ConfigureAwait(false);

                // Decrypt the chunks already read that fit the rest of the caller's buffer too, without another source read;
                // when the source lent that batch (its memory, no I/O), the next batch too, so a read is not cut short at a
                // batch's end (one more hand-off downstream for nothing).
                while (direct > 0 && MoreFits(destination.Length - direct))
                {
                    int more = await NextChunkAsync(destination[direct..], useAsync, cancellationToken).ConfigureAwait(false);
                    if (more == 0)
                    {
                        break; // that chunk went to the stream's own buffer: the next call hands it out
                    }

                    direct += more;
                }
            }
            catch (EncryptionException ex)
            {
                _failure = ex;
                if (direct == 0)
                {
                    throw;
                }

                // The chunks already decrypted into the caller's buffer authenticated: they are released, and the next read
                // reports the failure (sticky).
            }

            if (direct > 0)
            {
                return direct;
            }
        }
    }

    /// <summary>Whether one read goes on to the next chunk with <paramref name="room"/> bytes of the caller's buffer left:
    /// a chunk already read, or the source's next lent batch while a whole chunk fits.</summary>
    private bool MoreFits(int room) =>
        !_finished && room > 0 && (_cipherStart < _cipherEnd || (_batchLent && room >= CiphertextLayout.ChunkSize));

    /// <summary>
    /// Decrypts and authenticates the next chunk, reading the next batch from the source first when none is buffered. When
    /// the caller's buffer takes the chunk's whole plaintext it is decrypted straight into it (AesGcm clears the output
    /// when the tag fails, so nothing unauthenticated stays there) and the count is returned; otherwise the plaintext is
    /// kept in the stream's buffer and 0 is returned.
    /// </summary>
    private async ValueTask<int> NextChunkAsync(Memory<byte> destination, bool useAsync, CancellationToken cancellationToken)
    {
        long index = _nextChunk;
        if (_cipherStart == _cipherEnd)
        {
            await FillAsync(index, useAsync, cancellationToken).ConfigureAwait(false);
        }

        int available = _cipherEnd - _cipherStart;
        int length;
        bool isFinal;
        if (_window.FinalChunk >= 0)
        {
            isFinal = index == _window.FinalChunk;
            length = isFinal ? _window.FinalChunkEncryptedLength : CiphertextLayout.EncryptedChunkSize;
            if (available < length)
            {
                throw Fail(EncryptionErrorCode.CiphertextInvalid, $"the ciphertext ends inside chunk {index} ({available} of {length} bytes)");
            }
        }
        else if (available >= CiphertextLayout.EncryptedChunkSize)
        {
            // A whole chunk is never the final one: the final chunk is always shorter (C2SP).
            length = CiphertextLayout.EncryptedChunkSize;
            isFinal = false;
        }
        else
        {
            // Less than a chunk is left only when the source ended: this is the final chunk, and nothing follows it.
            length = available;
            isFinal = true;
            if (length < CiphertextLayout.TagSize)
            {
                throw Fail(EncryptionErrorCode.CiphertextInvalid, length == 0
                    ? $"the ciphertext ends before chunk {index}: the short final chunk is missing (truncated)"
                    : $"chunk {index} is {length} bytes, shorter than a tag (truncated)");
            }
        }

        int plainLength = length - CiphertextLayout.TagSize;
        bool direct = _skip == 0 && _remaining >= plainLength && destination.Length >= plainLength && plainLength > 0;
        if (!_cipher.TryDecrypt(index, _batch.Span.Slice(_cipherStart, length), direct ? destination.Span : _plain))
        {
            throw Fail(EncryptionErrorCode.CiphertextInvalid, $"chunk {index} does not authenticate (modified, reordered, moved from another object, or truncated)");
        }

        _cipherStart += length;
        _nextChunk++;
        _finished = isFinal || index >= _window.LastChunk;
        if (direct)
        {
            _remaining -= plainLength;
            return plainLength;
        }

        int start = (int)Math.Min(_skip, plainLength);
        _skip -= start;
        int take = (int)Math.Min(_remaining, plainLength - start);
        _remaining -= take;
        _plainStart = start;
        _plainEnd = start + take;
        return 0;
    }

    /// <summary>
    /// Reads the stored bytes of the next chunks, up to <see cref="BatchChunks"/> of them and never past the window's
    /// last chunk (with the header in front when it is still to be checked), in one source read, or as one view of memory
    /// the source lends.
    /// </summary>
    private async ValueTask FillAsync(long index, bool useAsync, CancellationToken cancellationToken)
    {
        byte[] encrypted = _encrypted!;
        int headerLength = _headerChecked ? 0 : _window.ExpectedHeader.Length;
        int want;
        if (_window.FinalChunk >= 0)
        {
            int chunks = (int)Math.Min(BatchChunks, _window.LastChunk - index + 1);
            bool final = index + chunks - 1 == _window.FinalChunk;
            want = ((chunks - (final ? 1 : 0)) * CiphertextLayout.EncryptedChunkSize) + (final ? _window.FinalChunkEncryptedLength : 0);
        }
        else if (_sourceEnded)
        {
            want = 0; // nothing more will come: the caller reports the missing final chunk
        }
        else
        {
            want = BatchChunks * CiphertextLayout.EncryptedChunkSize;
        }

        int total = headerLength + want;
        int got;
        if (total > 0 && _source is IReadOnlyMemoryLender lender && lender.TryLend(total, out var lent))
        {
            if (lent.Length != total)
            {
                throw new InvalidOperationException($"The source stream ({_source.GetType().Name}) lent {lent.Length} bytes where {total} were asked: it breaks the {nameof(IReadOnlyMemoryLender)} contract.");
            }

            _batch = lent;
            _batchLent = true;
            got = total;
        }
        else
        {
            got = await ReadAsync(encrypted.AsMemory(0, total), useAsync, cancellationToken).ConfigureAwait(false);
            _batch = encrypted.AsMemory(0, got);
            _batchLent = false;
        }

        _sourceEnded |= got < total;
        if (headerLength > 0)
        {
            if (got < headerLength || !_batch.Span[..headerLength].SequenceEqual(_window.ExpectedHeader.Span))
            {
                throw Fail(EncryptionErrorCode.CiphertextInvalid, got < headerLength ? "the ciphertext ends inside the header" : "the header stored with the ciphertext differs from the one recorded for the object");
            }

            _headerChecked = true;
        }

        _cipherStart = headerLength;
        _cipherEnd = got;
    }

    private async ValueTask<int> ReadAsync(Memory<byte> buffer, bool useAsync, CancellationToken cancellationToken) => useAsync
        ? await _source.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false)
        : _source.ReadAtLeast(buffer.Span, buffer.Length, throwOnEndOfStream: false);

    private EncryptionException Fail(EncryptionErrorCode code, string what) =>
        new(code, _key is null ? $"Decryption failed: {what}." : $"Decryption of blob '{_key}' failed: {what}.", _key);
}

/// <summary>Which chunks a <see cref="DecryptingReadStream"/> decrypts and which plaintext bytes of them it releases.</summary>
internal readonly record struct DecryptWindow
{
    /// <summary>The index of the first chunk the source starts with.</summary>
    public long FirstChunk { get; init; }

    /// <summary>The last chunk to decrypt (inclusive).</summary>
    public long LastChunk { get; init; }

    /// <summary>The final chunk of the message, or -1 when the length is unknown (pure streaming).</summary>
    public long FinalChunk { get; init; }

    /// <summary>The stored length of the final chunk when <see cref="FinalChunk"/> is known.</summary>
    public int FinalChunkEncryptedLength { get; init; }

    /// <summary>Plaintext bytes to drop from the start of the first chunk.</summary>
    public long Skip { get; init; }

    /// <summary>Plaintext bytes to release in all.</summary>
    public long Take { get; init; }

    /// <summary>Header bytes the source starts with, which must equal these (empty: the source starts at a chunk).</summary>
    public ReadOnlyMemory<byte> ExpectedHeader { get; init; }

    /// <summary>A whole message of unknown length, from chunk 0.</summary>
    public static DecryptWindow Streaming => new() { FirstChunk = 0, LastChunk = long.MaxValue, FinalChunk = -1, Take = long.MaxValue };

    /// <summary>The chunks covering plaintext bytes [<paramref name="offset"/>, +<paramref name="length"/>) of a message of <paramref name="plaintextLength"/> bytes.</summary>
    public static DecryptWindow ForRange(long plaintextLength, long offset, long length)
    {
        long final = CiphertextLayout.FinalChunkIndex(plaintextLength);
        long first = Math.Min(offset / CiphertextLayout.ChunkSize, final);
        // A range that reaches the end of the message takes the final chunk too (even when it holds no byte of the
        // range), so reading to the end always authenticates the length.
        long last = offset + length == plaintextLength ? final : length == 0 ? first : (offset + length - 1) / CiphertextLayout.ChunkSize;
        return new DecryptWindow
        {
            FirstChunk = first,
            LastChunk = last,
            FinalChunk = final,
            FinalChunkEncryptedLength = CiphertextLayout.FinalChunkEncryptedLength(plaintextLength),
            Skip = offset - (first * CiphertextLayout.ChunkSize),
            Take = length,
        };
    }

    /// <summary>The stored bytes of the window's chunks: offset (prefix included) and length.</summary>
    public (long Offset, long Length) CiphertextRange()
    {
        long start = CiphertextLayout.ChunkOffset(FirstChunk);
        long end = LastChunk == FinalChunk
            ? CiphertextLayout.ChunkOffset(FinalChunk) + FinalChunkEncryptedLength
            : CiphertextLayout.ChunkOffset(LastChunk + 1);
        return (start, end - start);
    }
}
