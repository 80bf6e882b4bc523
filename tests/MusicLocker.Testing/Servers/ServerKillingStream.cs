namespace MusicLocker.Testing.Servers;

/// <summary>
/// A seekable read-only stream over bytes in memory that kills an emulator once <c>killAfter</c> bytes have been read
/// from it: the server dies while a request carrying these bytes is on its way, as in a crash mid-upload.
/// </summary>
public sealed class ServerKillingStream(byte[] bytes, long killAfter, EmulatorServer server) : Stream
{
    private readonly MemoryStream _inner = new(bytes, writable: false);
    private long _served;

    /// <summary>Whether the server has been killed.</summary>
    public bool Killed { get; private set; }

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanSeek => true;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override long Length => _inner.Length;

    /// <inheritdoc />
    public override long Position
    {
        get => _inner.Position;
        set => _inner.Position = value;
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        KillIfDue();
        int n = _inner.Read(buffer);
        _served += n;
        return n;
    }

    /// <inheritdoc />
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => _inner.Seek(offset, origin);

    /// <inheritdoc />
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private void KillIfDue()
    {
        if (!Killed && _served >= killAfter)
        {
            Killed = true;
            server.KillAsync().GetAwaiter().GetResult();
        }
    }
}
