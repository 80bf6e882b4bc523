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

    /// <summary>The size of one read from storage and of one write into the pipe (64 KiB by default).</summary>
    public int ChunkSize { get; init; } = 64 * 1024;

    /// <summary>
    /// How many chunks the storage read may run ahead of the pipe (4 by default): the bound on the bytes the reader holds
    /// for a slow consumer is <c>(ReadAheadChunks + 2) × ChunkSize</c>.
    /// </summary>
    public int ReadAheadChunks { get; init; } = 4;

    /// <summary>The pool the read-ahead buffers come from (<see cref="ArrayPool{T}.Shared"/> by default); every buffer goes back to it.</summary>
    public ArrayPool<byte>? BufferPool { get; init; }

    /// <summary>The clock of the time-to-first-byte measure (<see cref="TimeProvider.System"/> by default).</summary>
    public TimeProvider? TimeProvider { get; init; }
}
