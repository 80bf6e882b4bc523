using System.Security.Cryptography;

namespace MusicLocker.Testing;

/// <summary>Deterministic test bytes and streams that behave like the awkward ones real callers pass.</summary>
public static class TestData
{
    /// <summary>Deterministic pseudo-random bytes.</summary>
    public static byte[] Bytes(int length, int seed = 1)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>SHA-256 of a whole stream, read in small pieces.</summary>
    public static async Task<byte[]> Sha256Async(Stream stream, CancellationToken cancellationToken = default)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        int n;
        while ((n = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, n);
        }

        return hash.GetHashAndReset();
    }
}

/// <summary>
/// A non-seekable stream of <c>length</c> deterministic bytes generated on the fly (never held in memory), optionally
/// failing or cancelling after some bytes, optionally returning few bytes per read.
/// </summary>
public sealed class GeneratedStream : Stream
{
    private readonly long _length;
    private readonly int _maxPerRead;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private ulong _state;
    private long _position;

    /// <summary>Creates the stream.</summary>
    public GeneratedStream(long length, ulong seed = 0x9E3779B97F4A7C15, int maxPerRead = int.MaxValue)
    {
        _length = length;
        _state = seed == 0 ? 1 : seed;
        _maxPerRead = maxPerRead;
    }

    /// <summary>Throw <see cref="IOException"/> once this many bytes were produced.</summary>
    public long? FailAfter { get; init; }

    /// <summary>Invoked once when this many bytes were produced (e.g. to cancel a token).</summary>
    public (long At, Action Action)? OnPosition { get; init; }

    /// <summary>Invoked after every read with the bytes produced so far.</summary>
    public Action<long>? Progress { get; init; }

    private bool _fired;

    /// <summary>The SHA-256 of the bytes produced so far (complete once the stream was read to its end).</summary>
    public byte[] Sha256 => _hash.GetCurrentHash();

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        if (FailAfter is { } fail && _position >= fail)
        {
            throw new IOException($"GeneratedStream failed on purpose after {_position} bytes.");
        }

        if (OnPosition is { } on && !_fired && _position >= on.At)
        {
            _fired = true;
            on.Action();
        }

        long remaining = _length - _position;
        int n = (int)Math.Min(Math.Min(buffer.Length, remaining), _maxPerRead);
        if (FailAfter is { } f && _position + n > f)
        {
            n = (int)(f - _position);
        }

        for (int i = 0; i < n; i++)
        {
            // xorshift64*: fast, deterministic, not all-zero.
            _state ^= _state >> 12;
            _state ^= _state << 25;
            _state ^= _state >> 27;
            buffer[i] = (byte)((_state * 0x2545F4914F6CDD1DUL) >> 56);
        }

        _hash.AppendData(buffer[..n]);
        _position += n;
        Progress?.Invoke(_position);
        return n;
    }

    /// <inheritdoc />
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new ValueTask<int>(Read(buffer.Span));
    }

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }
}
