namespace MusicLocker.Crypto.Format;

/// <summary>
/// A bare C2SP chunked-encryption message (salt ‖ commitment ‖ chunks, no prefix of ours): open a streaming or a
/// random-access decryption. The object format wraps this with its prefix; tests run the C2SP vectors through it.
/// </summary>
internal static class ChunkedMessage
{
    /// <summary>
    /// Reads and checks the header (length, key size, commitment) — and nothing past it — then returns a stream that
    /// decrypts the chunks as they are read.
    /// </summary>
    public static async Task<DecryptingReadStream> OpenStreamAsync(Stream source, ReadOnlyMemory<byte> inputKey, ReadOnlyMemory<byte> context, CancellationToken cancellationToken)
    {
        var header = new byte[CiphertextLayout.C2spHeaderSize];
        int got = await source.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (got < header.Length)
        {
            throw new EncryptionException(EncryptionErrorCode.CiphertextInvalid, $"The message is {got} bytes, shorter than the {CiphertextLayout.C2spHeaderSize}-byte header (truncated).");
        }

        var cipher = OpenCipher(header, inputKey.Span, context.Span);
        return new DecryptingReadStream(source, cipher, DecryptWindow.Streaming, leaveOpen: true);
    }

    /// <summary>
    /// Decrypts plaintext bytes [<paramref name="offset"/>, +<paramref name="destination"/>.Length) of a message held in a
    /// seekable stream, reading the header and then only the covering chunks. When the range reaches the end of the
    /// message the final chunk is decrypted, which authenticates the length.
    /// </summary>
    /// <returns>The bytes written (fewer than asked when the range passes the end).</returns>
    public static async Task<int> ReadAtAsync(Stream seekable, ReadOnlyMemory<byte> inputKey, ReadOnlyMemory<byte> context, long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        var header = new byte[CiphertextLayout.C2spHeaderSize];
        long total = seekable.Length;
        if (total < CiphertextLayout.C2spHeaderSize)
        {
            throw new EncryptionException(EncryptionErrorCode.CiphertextInvalid, $"The message is {total} bytes, shorter than the {CiphertextLayout.C2spHeaderSize}-byte header (truncated).");
        }

        seekable.Position = 0;
        await seekable.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
        var cipher = OpenCipher(header, inputKey.Span, context.Span);
        if (!CiphertextLayout.TryGetPlaintextLength(total - CiphertextLayout.C2spHeaderSize, out long plaintextLength))
        {
            cipher.Dispose();
            throw new EncryptionException(EncryptionErrorCode.CiphertextInvalid, $"No message has a ciphertext of {total} bytes: it is truncated or has bytes appended.");
        }

        long length = Math.Min(destination.Length, Math.Max(0, plaintextLength - offset));
        var window = DecryptWindow.ForRange(plaintextLength, Math.Min(offset, plaintextLength), length);
        seekable.Position = window.CiphertextRange().Offset - CiphertextLayout.PrefixSize;
        var stream = new DecryptingReadStream(seekable, cipher, window, leaveOpen: true);
        await using (stream.ConfigureAwait(false))
        {
            int written = 0;
            int n;
            do
            {
                n = await stream.ReadAsync(destination[written..(int)length], cancellationToken).ConfigureAwait(false);
                written += n;
            }
            while (n > 0 && written < length);

            // Drive the window to its last chunk even when nothing more is released (an empty read at the end).
            await stream.VerifyRemainingAsync(useAsync: true, cancellationToken).ConfigureAwait(false);
            return written;
        }
    }

    /// <summary>
    /// Encrypts a message held in memory: <paramref name="header"/> (salt ‖ commitment, as <paramref name="cipher"/>
    /// derived them) then the chunks, into <paramref name="destination"/> of <see cref="CiphertextLayout.C2spCiphertextLength"/> bytes.
    /// The same bytes as <see cref="EncryptingReadStream"/>, without a stream's copy of the plaintext.
    /// </summary>
    public static void Encrypt(ChunkCipher cipher, ReadOnlySpan<byte> header, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        header.CopyTo(destination);
        var output = destination[header.Length..];
        long index = 0;
        while (true)
        {
            int n = Math.Min(CiphertextLayout.ChunkSize, plaintext.Length);
            cipher.Encrypt(index++, plaintext[..n], output);
            plaintext = plaintext[n..];
            output = output[(n + CiphertextLayout.TagSize)..];
            if (n < CiphertextLayout.ChunkSize)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Decrypts a whole message held in memory into <paramref name="destination"/>; on any failure the destination is
    /// cleared and a typed error thrown.
    /// </summary>
    /// <returns>The plaintext length.</returns>
    public static int Decrypt(ReadOnlySpan<byte> message, ReadOnlySpan<byte> inputKey, ReadOnlySpan<byte> context, Span<byte> destination)
    {
        if (message.Length < CiphertextLayout.C2spHeaderSize)
        {
            throw new EncryptionException(EncryptionErrorCode.CiphertextInvalid, $"The message is {message.Length} bytes, shorter than the {CiphertextLayout.C2spHeaderSize}-byte header (truncated).");
        }

        using var cipher = OpenCipher(message[..CiphertextLayout.C2spHeaderSize], inputKey, context);
        var chunks = message[CiphertextLayout.C2spHeaderSize..];
        if (!CiphertextLayout.TryGetPlaintextLength(chunks.Length, out long plaintextLength) || plaintextLength > destination.Length)
        {
            throw new EncryptionException(EncryptionErrorCode.CiphertextInvalid, $"No message of at most {destination.Length} bytes has a ciphertext of {message.Length} bytes: it is truncated, extended, or the destination is too small.");
        }

        int written = 0;
        for (long index = 0; !chunks.IsEmpty; index++)
        {
            int n = Math.Min(CiphertextLayout.EncryptedChunkSize, chunks.Length);
            if (!cipher.TryDecrypt(index, chunks[..n], destination[written..]))
            {
                destination[..written].Clear();
                throw new EncryptionException(EncryptionErrorCode.CiphertextInvalid, $"Decryption failed: chunk {index} does not authenticate (modified, reordered, moved from another object, or truncated).");
            }

            written += n - CiphertextLayout.TagSize;
            chunks = chunks[n..];
        }

        return written;
    }

    /// <summary>Checks the input key size and the commitment, and derives the chunk cipher.</summary>
    public static ChunkCipher OpenCipher(ReadOnlySpan<byte> header, ReadOnlySpan<byte> inputKey, ReadOnlySpan<byte> context)
    {
        if (inputKey.Length != CiphertextLayout.KeySize)
        {
            throw new EncryptionException(EncryptionErrorCode.KeyUnwrapFailed, $"The input key is {inputKey.Length} bytes; Cobblestone-256 takes {CiphertextLayout.KeySize}.");
        }

        var cipher = ChunkCipher.Create(inputKey, header[..CiphertextLayout.SaltSize], context);
        if (!cipher.CommitmentMatches(header.Slice(CiphertextLayout.SaltSize, CiphertextLayout.CommitmentSize)))
        {
            cipher.Dispose();
            throw new EncryptionException(EncryptionErrorCode.KeyCommitmentMismatch, "The key commitment does not match: wrong key, or a ciphertext of another object or user, or a modified salt or commitment.");
        }

        return cipher;
    }
}
