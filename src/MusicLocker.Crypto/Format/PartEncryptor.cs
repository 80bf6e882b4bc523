using System.Buffers;

namespace MusicLocker.Crypto.Format;

/// <summary>
/// Encrypts one multipart part into a buffer: the header (part 1 only), then one chunk per 16 KiB of source. Like
/// <see cref="EncryptMode.Part"/>, a part whose length is a multiple of 16 KiB ends without a final chunk, a shorter
/// one ends with it. A source longer than the part size is read one byte past it, so the caller can refuse it.
/// </summary>
internal static class PartEncryptor
{
    /// <summary>
    /// The destination length <see cref="EncryptAsync"/> needs for <paramref name="source"/>: a memory stream's part is
    /// known, so a short one needs only its own chunks (its final one included); any other stream, a full part's.
    /// </summary>
    public static int CiphertextCapacity(Stream source, int headerLength, int partSize)
    {
        int chunksPerPart = partSize / CiphertextLayout.ChunkSize;
        int chunks = TryViewPart(source, partSize, out _, out _, out _, out int take)
            ? Math.Min(chunksPerPart, (take / CiphertextLayout.ChunkSize) + 1)
            : chunksPerPart;
        return headerLength + (chunks * CiphertextLayout.EncryptedChunkSize);
    }

    /// <summary>The part a memory stream holds from its position: at most <paramref name="partSize"/> bytes of its buffer.</summary>
    private static bool TryViewPart(Stream source, int partSize, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out MemoryStream? memory, out ArraySegment<byte> segment, out int start, out int take)
    {
        if (source is MemoryStream stream && stream.TryGetBuffer(out segment))
        {
            memory = stream;
            start = (int)Math.Min(stream.Position, segment.Count);
            take = Math.Min(segment.Count - start, partSize);
            return true;
        }

        (memory, segment, start, take) = (null, default, 0, 0);
        return false;
    }

    /// <summary>
    /// Encrypts <paramref name="source"/> (from its position) into <paramref name="destination"/>, at least
    /// <see cref="CiphertextCapacity"/> bytes. Returns the ciphertext length and the plaintext length, the latter
    /// <paramref name="partSize"/> + 1 when the source holds more than a part (nothing past the part is encrypted).
    /// </summary>
    public static async ValueTask<(int Length, long PlaintextLength)> EncryptAsync(Stream source, ChunkCipher cipher, ReadOnlyMemory<byte> header, long firstChunk, int partSize, byte[] destination, CancellationToken cancellationToken)
    {
        header.Span.CopyTo(destination);
        if (TryViewPart(source, partSize, out var memory, out var segment, out int start, out int take))
        {
            // The caller's bytes are in memory already: encrypt straight from them.
            memory.Position = start + take;
            int length = EncryptChunks(cipher, segment.AsSpan(start, take), firstChunk, destination.AsSpan(header.Length));
            return (header.Length + length, segment.Count - start > partSize ? partSize + 1L : take);
        }

        byte[] plain = ArrayPool<byte>.Shared.Rent(CiphertextLayout.ChunkSize);
        try
        {
            int written = header.Length;
            long plaintext = 0;
            for (long index = firstChunk; ; index++)
            {
                if (plaintext == partSize)
                {
                    int extra = await source.ReadAsync(plain.AsMemory(0, 1), cancellationToken).ConfigureAwait(false);
                    return (written, extra > 0 ? partSize + 1L : plaintext);
                }

                int read = await source.ReadAtLeastAsync(plain.AsMemory(0, CiphertextLayout.ChunkSize), CiphertextLayout.ChunkSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return (written, plaintext);
                }

                cipher.Encrypt(index, plain.AsSpan(0, read), destination.AsSpan(written));
                written += read + CiphertextLayout.TagSize;
                plaintext += read;
                if (read < CiphertextLayout.ChunkSize)
                {
                    return (written, plaintext);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(plain, clearArray: true);
        }
    }

    /// <summary>Encrypts <paramref name="plaintext"/> as chunks from <paramref name="firstChunk"/>; returns the bytes written.</summary>
    private static int EncryptChunks(ChunkCipher cipher, ReadOnlySpan<byte> plaintext, long firstChunk, Span<byte> destination)
    {
        int written = 0;
        for (long index = firstChunk; !plaintext.IsEmpty; index++)
        {
            int n = Math.Min(plaintext.Length, CiphertextLayout.ChunkSize);
            cipher.Encrypt(index, plaintext[..n], destination[written..]);
            written += n + CiphertextLayout.TagSize;
            plaintext = plaintext[n..];
        }

        return written;
    }
}
