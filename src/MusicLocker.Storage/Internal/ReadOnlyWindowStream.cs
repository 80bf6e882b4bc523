namespace MusicLocker.Storage;

/// <summary>
/// A read-only, seekable stream over a fixed number of bytes whose source reads at a given position (a file handle, chunks
/// in memory). The base keeps the position and clamps every read to the window; a subclass only reads at a position.
/// </summary>
internal abstract class ReadOnlyWindowStream(long length) : Stream
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

    /// <summary>Reads up to <c>destination.Length</c> bytes at <paramref name="position"/> (already inside the window).</summary>
    protected abstract int ReadAt(long position, Span<byte> destination);

    /// <summary>Reads up to <c>destination.Length</c> bytes at <paramref name="position"/> (already inside the window).</summary>
    protected virtual ValueTask<int> ReadAtAsync(long position, Memory<byte> destination, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new ValueTask<int>(ReadAt(position, destination.Span));
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int want = Clamp(buffer.Length);
        if (want == 0)
        {
            return 0;
        }

        int n = ReadAt(_position, buffer[..want]);
        _position += n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int want = Clamp(buffer.Length);
        if (want == 0)
        {
            return 0;
        }

        int n = await ReadAtAsync(_position, buffer[..want], cancellationToken).ConfigureAwait(false);
        _position += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

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

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Clamp(int requested) => (int)Math.Clamp(length - _position, 0, requested);
}
