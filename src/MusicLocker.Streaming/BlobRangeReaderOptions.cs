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
    /// The size of one read from storage and of one write into the pipe (32 KiB by default): half the 64 KiB at which a
    /// default <c>Pipe</c> and Kestrel's response body pause the writer, so a flush returns at once and the next chunk is
    /// read while the consumer sends the last one. A chunk that reaches the pause threshold makes every flush wait for the
    /// consumer: 64 KiB chunks measured 1.39× raw AES-GCM on an encrypted 1 MiB range where 32 KiB chunks measured 1.20×
    /// (<c>Streaming/RangeReaderEncryptedBenchmarks</c>).
    /// </summary>
    public int ChunkSize { get; init; } = DefaultChunkSize;

    /// <summary>The default <see cref="ChunkSize"/>: 32 KiB.</summary>
    public const int DefaultChunkSize = 32 * 1024;

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
