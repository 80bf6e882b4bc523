namespace MusicLocker.Crypto.Format;

/// <summary>
/// Sizes and offsets of the object ciphertext: our 8-byte prefix, then a C2SP chunked-encryption message
/// (https://c2sp.org/chunked-encryption, instantiated as Cobblestone-256: AES-256-GCM, HKDF-Expand-SHA-512).
/// See docs/encryption-format.md.
/// </summary>
internal static class CiphertextLayout
{
    /// <summary>Plaintext bytes per chunk; the final chunk is always shorter (and may be empty).</summary>
    public const int ChunkSize = 16 * 1024;

    /// <summary>The AES-GCM tag after every chunk.</summary>
    public const int TagSize = 16;

    /// <summary>A full chunk as stored.</summary>
    public const int EncryptedChunkSize = ChunkSize + TagSize;

    /// <summary>The random C2SP salt.</summary>
    public const int SaltSize = 24;

    /// <summary>The C2SP key commitment.</summary>
    public const int CommitmentSize = 32;

    /// <summary>Salt plus commitment: the C2SP header.</summary>
    public const int C2spHeaderSize = SaltSize + CommitmentSize;

    /// <summary>Our own versioned prefix before the C2SP message.</summary>
    public const int PrefixSize = FormatPrefix.Size;

    /// <summary>Everything before chunk 0.</summary>
    public const int HeaderSize = PrefixSize + C2spHeaderSize;

    /// <summary>The AES-256 key, and the C2SP input key (data key), in bytes.</summary>
    public const int KeySize = 32;

    /// <summary>The GCM nonce.</summary>
    public const int NonceSize = 12;

    /// <summary>The C2SP limit: the chunk counter must stay below 2^38.</summary>
    public const long MaxChunkCount = 1L << 38;

    /// <summary>The ciphertext length of a C2SP message (no prefix) of <paramref name="plaintextLength"/> bytes.</summary>
    public static long C2spCiphertextLength(long plaintextLength) =>
        C2spHeaderSize + (plaintextLength / ChunkSize * EncryptedChunkSize) + (plaintextLength % ChunkSize) + TagSize;

    /// <summary>The object ciphertext length (prefix included) of <paramref name="plaintextLength"/> bytes.</summary>
    public static long CiphertextLength(long plaintextLength) => PrefixSize + C2spCiphertextLength(plaintextLength);

    /// <summary>
    /// The plaintext length of a message whose chunks take <paramref name="chunksLength"/> bytes (everything after the
    /// header), or <see langword="false"/> when no message has that length (a truncated or extended ciphertext).
    /// </summary>
    public static bool TryGetPlaintextLength(long chunksLength, out long plaintextLength)
    {
        plaintextLength = 0;
        if (chunksLength < TagSize)
        {
            return false;
        }

        long fullChunks = chunksLength / EncryptedChunkSize;
        long rest = chunksLength % EncryptedChunkSize;

        // The final chunk is 0..16383 plaintext bytes plus a tag: a remainder below the tag size means a cut tag or a
        // missing final chunk.
        if (rest < TagSize || fullChunks + 1 > MaxChunkCount)
        {
            return false;
        }

        plaintextLength = (fullChunks * ChunkSize) + rest - TagSize;
        return true;
    }

    /// <summary>The index of the final chunk of a message of <paramref name="plaintextLength"/> bytes.</summary>
    public static long FinalChunkIndex(long plaintextLength) => plaintextLength / ChunkSize;

    /// <summary>The stored length of the final chunk of a message of <paramref name="plaintextLength"/> bytes.</summary>
    public static int FinalChunkEncryptedLength(long plaintextLength) => (int)(plaintextLength % ChunkSize) + TagSize;

    /// <summary>The offset of chunk <paramref name="index"/> in the object ciphertext (prefix included).</summary>
    public static long ChunkOffset(long index) => HeaderSize + (index * EncryptedChunkSize);
}
