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

    public static async Task<ChunkedBuffer> ReadAsync(Stream content, CancellationToken cancellationToken)
    {
        var chunks = new List<ReadOnlyMemory<byte>>();
        while (true)
        {
            var chunk = new byte[ChunkSize];
            int filled = await content.ReadAtLeastAsync(chunk, ChunkSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            if (filled > 0)
            {
                chunks.Add(filled == ChunkSize ? chunk : chunk.AsMemory(0, filled).ToArray());
            }

            if (filled < ChunkSize)
            {
                return new ChunkedBuffer([.. chunks]);
            }
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

    /// <summary>Copies bytes from <paramref name="position"/> into <paramref name="destination"/>; returns how many.</summary>
    public int CopyTo(long position, Span<byte> destination)
    {
        if (position >= Length || destination.IsEmpty)
        {
            return 0;
        }

        int index = Array.BinarySearch(_starts, position);
        if (index < 0)
        {
            index = ~index - 1;
        }

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
}

/// <summary>A read-only, seekable window of a <see cref="ChunkedBuffer"/>.</summary>
internal sealed class ChunkedReadStream(ChunkedBuffer buffer, long start, long length) : Stream
{
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _position = value;
        }
    }

    public override int Read(byte[] buffer1, int offset, int count) => Read(buffer1.AsSpan(offset, count));

    public override int Read(Span<byte> destination)
    {
        long remaining = length - _position;
        if (remaining <= 0)
        {
            return 0;
        }

        if (destination.Length > remaining)
        {
            destination = destination[..(int)remaining];
        }

        int n = buffer.CopyTo(start + _position, destination);
        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new ValueTask<int>(Read(destination.Span));
    }

    public override Task<int> ReadAsync(byte[] buffer1, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer1.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin)
    {
        long target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        ArgumentOutOfRangeException.ThrowIfNegative(target, nameof(offset));
        _position = target;
        return target;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer1, int offset, int count) => throw new NotSupportedException();
}
