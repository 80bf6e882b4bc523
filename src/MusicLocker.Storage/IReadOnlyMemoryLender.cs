namespace MusicLocker.Storage;

/// <summary>
/// Implemented by a download's <see cref="BlobDownload.Content"/> stream when its bytes already sit in memory that is never
/// written again (the in-memory store): a reader that only looks at the bytes (the encrypted store's decryptor) takes
/// them as a read-only view instead of copying them into a buffer of its own. The crypto layer asks
/// <c>content is IReadOnlyMemoryLender</c> and otherwise reads as usual.
/// </summary>
/// <remarks>
/// A copy out of memory that is not in the CPU cache costs about as much as the first pass over it by whatever reads it
/// next: decrypting a 1 MiB range straight from the in-memory store's memory, rather than from a copy of it, saves about
/// a fifth of the time raw AES-GCM takes over the same bytes (<c>Streaming/RangeReaderEncryptedBenchmarks</c>).
/// </remarks>
public interface IReadOnlyMemoryLender
{
    /// <summary>
    /// Takes the stream's next <paramref name="length"/> bytes as one read-only view and moves the stream past them, as a
    /// read of exactly that many bytes would (they count as read). Returns <see langword="false"/>, and moves nothing, when
    /// fewer bytes are left or they do not lie in one piece of memory; the caller then reads them as usual.
    /// </summary>
    /// <param name="length">How many bytes; 0 lends an empty view.</param>
    /// <param name="bytes">The bytes, valid and unchanged for as long as the caller holds them, the stream's disposal included:
    /// the lender never writes into memory it lent.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative.</exception>
    bool TryLend(int length, out ReadOnlyMemory<byte> bytes);
}
