namespace MusicLocker.Crypto.Tests;

/// <summary>A read-only stream over bytes that records how far it was read and can hand out few bytes per read.</summary>
internal sealed class RecordingStream(byte[] bytes, int maxPerRead = int.MaxValue) : Stream
{
    private long _position;

    /// <summary>The end of the furthest read so far.</summary>
    public long HighestPositionRead { get; private set; }

    /// <summary>Bytes handed out so far.</summary>
    public long BytesRead { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => bytes.Length;

    public override long Position
    {
        get => _position;
        set => _position = value;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = (int)Math.Clamp(bytes.Length - _position, 0, Math.Min(buffer.Length, maxPerRead));
        bytes.AsSpan((int)_position, n).CopyTo(buffer);
        _position += n;
        BytesRead += n;
        HighestPositionRead = Math.Max(HighestPositionRead, _position);
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => new(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => _position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        _ => bytes.Length + offset,
    };

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
