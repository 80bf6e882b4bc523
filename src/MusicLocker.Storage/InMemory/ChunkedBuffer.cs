namespace MusicLocker.Storage.InMemory;

/// <summary>
/// Immutable bytes held as a list of chunks of at most 1 MiB, so a large blob never needs one huge array and joining
/// multipart parts or copying a blob shares chunks instead of copying bytes.
/// </summary>
internal sealed class ChunkedBuffer
{
    private const int ChunkSize = 1024 * 1024;
    private readonly ReadOnlyMemory<byte>[] _chunks;
    private readonly long[] _starts;

    public static ChunkedBuffer Empty { get; } = new([]);

    private ChunkedBuffer(ReadOnlyMemory<byte>[] chunks)
    {
        _chunks = chunks;
        _starts = new long[chunks.Length];
        long offset = 0;
        for (int i = 0; i < chunks.Length; i++)
        {
            _starts[i] = offset;
            offset += chunks[i].Length;
        }

        Length = offset;
    }

    public long Length { get; }

    /// <summary>
    /// Reads a stream to its end. Chunks are sized to what is left when the stream knows its length, and otherwise grow
    /// from 64 KiB, so a small blob costs a small array rather than a whole 1 MiB chunk.
    /// </summary>
    public static async Task<ChunkedBuffer> ReadAsync(Stream content, CancellationToken cancellationToken)
    {
        var chunks = new List<ReadOnlyMemory<byte>>();
        int growing = 64 * 1024;
        while (true)
        {
            int size = content.CanSeek ? (int)Math.Clamp(content.Length - content.Position, 1, ChunkSize) : growing;
            var chunk = new byte[size];
            int filled = await content.ReadAtLeastAsync(chunk, size, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            if (filled > 0)
            {
                chunks.Add(filled == size ? chunk : chunk.AsMemory(0, filled).ToArray());
            }

            if (filled < size || (content.CanSeek && content.Position >= content.Length))
            {
                return new ChunkedBuffer([.. chunks]);
            }

            growing = Math.Min(growing * 2, ChunkSize);
        }
    }

    public static ChunkedBuffer Concat(IEnumerable<ChunkedBuffer> parts)
    {
        var chunks = new List<ReadOnlyMemory<byte>>();
        foreach (var part in parts)
        {
            chunks.AddRange(part._chunks);
        }

        return new ChunkedBuffer([.. chunks]);
    }

    /// <summary>
    /// The <paramref name="count"/> bytes at <paramref name="position"/> as one view of the chunk that holds them all, or
    /// <see langword="false"/> when they run past the end or across a chunk boundary.
    /// </summary>
    public bool TrySlice(long position, int count, out ReadOnlyMemory<byte> bytes)
    {
        bytes = default;
        if (count == 0)
        {
            return position <= Length;
        }

        if (position < 0 || position >= Length)
        {
            return false;
        }

        int index = ChunkAt(position);
        int within = (int)(position - _starts[index]);
        if (count > _chunks[index].Length - within)
        {
            return false;
        }

        bytes = _chunks[index].Slice(within, count);
        return true;
    }

    /// <summary>Copies bytes from <paramref name="position"/> into <paramref name="destination"/>; returns how many.</summary>
    public int CopyTo(long position, Span<byte> destination)
    {
        if (position >= Length || destination.IsEmpty)
        {
            return 0;
        }

        int index = ChunkAt(position);
        int copied = 0;
        while (copied < destination.Length && index < _chunks.Length)
        {
            var chunk = _chunks[index].Span;
            int within = (int)(position + copied - _starts[index]);
            int n = Math.Min(chunk.Length - within, destination.Length - copied);
            chunk.Slice(within, n).CopyTo(destination[copied..]);
            copied += n;
            index++;
        }

        return copied;
    }

    /// <summary>The index of the chunk holding <paramref name="position"/> (inside the buffer).</summary>
    private int ChunkAt(long position)
    {
        int index = Array.BinarySearch(_starts, position);
        return index < 0 ? ~index - 1 : index;
    }
}

/// <summary>A read-only, seekable window of a <see cref="ChunkedBuffer"/>, which lends its bytes (they never change).</summary>
internal sealed class ChunkedReadStream(ChunkedBuffer buffer, long start, long length) : ReadOnlyWindowStream(length), IReadOnlyMemoryLender
{
    public bool TryLend(int length, out ReadOnlyMemory<byte> bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        long position = Position;
        if (length > Length - position || !buffer.TrySlice(start + position, length, out bytes))
        {
            bytes = default;
            return false;
        }

        if (length > 0)
        {
            MarkRead(length);
        }

        return true;
    }

    protected override int ReadAt(long position, Span<byte> destination) => buffer.CopyTo(start + position, destination);
}
