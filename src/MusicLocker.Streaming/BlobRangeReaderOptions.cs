using System.Buffers;

namespace MusicLocker.Streaming;

/// <summary>Options of a <see cref="BlobRangeReader"/>, copied and validated when the reader is built.</summary>
public sealed class BlobRangeReaderOptions
{
    /// <summary>The smallest <see cref="ChunkSize"/>: 4 KiB.</summary>
    public const int MinChunkSize = 4 * 1024;

    /// <summary>The largest <see cref="ChunkSize"/>: 16 MiB.</summary>
    public const int MaxChunkSize = 16 * 1024 * 1024;

    /// <summary>The largest <see cref="ReadAheadChunks"/>.</summary>
    public const int MaxReadAheadChunks = 64;

    /// <summary>
    /// The size of one read from storage and of one write into the pipe (64 KiB by default). A storage read that completed
    /// at once (memory, or a decrypting stream's already-read chunks: CPU work on the copying thread) is followed by a read
    /// of half a chunk: a default <c>Pipe</c> and Kestrel's response body pause the writer at 64 KiB, so a full chunk makes
    /// every flush wait for the consumer, while half of one lets the flush return and the next half be decrypted while the
    /// consumer sends this one (an encrypted 1 MiB range measured 1.39× raw AES-GCM with full chunks and 1.19× with halves,
    /// <c>Streaming/RangeReaderEncryptedBenchmarks</c>). A read that had to wait (a file, the network) is followed by a full
    /// chunk: there each read costs a hand-off, which halving would double (a file-system 1 MiB range measured 1.6× a
    /// <c>FileStream</c> copy with 32 KiB reads).
    /// </summary>
    public int ChunkSize { get; init; } = DefaultChunkSize;

    /// <summary>The default <see cref="ChunkSize"/>: 64 KiB.</summary>
    public const int DefaultChunkSize = 64 * 1024;

    /// <summary>
    /// How many chunks the storage read may run ahead while the pipe holds a flush for a slow consumer (4 by default):
    /// the reader then holds at most <c>ReadAheadChunks × ChunkSize</c> bytes beside what the pipe itself buffers. While
    /// the pipe keeps up, chunks are read straight into the pipe's memory and nothing is held. Only slow storage is read
    /// ahead (the last two storage reads took 1 ms or more each: a cloud store, a cold disk); a read from the page cache or memory
    /// waits for the flush instead, since reading ahead would only copy each chunk twice.
    /// </summary>
    public int ReadAheadChunks { get; init; } = 4;

    /// <summary>
    /// The pool the read-ahead buffers come from (<see cref="ArrayPool{T}.Shared"/> by default), rented only when the pipe
    /// pushes back; every buffer goes back to it.
    /// </summary>
    public ArrayPool<byte>? BufferPool { get; init; }

    /// <summary>The clock of the time-to-first-byte measure and of the storage read times that decide read-ahead
    /// (<see cref="TimeProvider.System"/> by default).</summary>
    public TimeProvider? TimeProvider { get; init; }
}
