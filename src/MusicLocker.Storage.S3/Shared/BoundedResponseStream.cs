namespace MusicLocker.Storage.Providers;

/// <summary>
/// The body of a ranged GET, read-only and forward-only, ending after <c>length</c> bytes even when the server sent more;
/// disposing it releases the response (and its connection). Compiled into both cloud provider assemblies.
/// </summary>
internal sealed class BoundedResponseStream(Stream inner, IDisposable response, long length) : Stream
{
    private readonly Stream _inner = inner;
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException("A blob download is read once, from start to end.");
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer) => Count(_inner.Read(buffer[..Limit(buffer.Length)]), buffer.Length);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await _inner.ReadAsync(buffer[..Limit(buffer.Length)], cancellationToken).ConfigureAwait(false), buffer.Length);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("A blob download is read once, from start to end.");

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
            response.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Limit(int wanted) => (int)Math.Min(wanted, length - _position);

    private int Count(int n, int wanted)
    {
        if (n == 0 && wanted > 0 && _position < length)
        {
            throw new IOException($"The response ended after {_position} of {length} bytes; the connection was closed early.");
        }

        _position += n;
        return n;
    }
}
