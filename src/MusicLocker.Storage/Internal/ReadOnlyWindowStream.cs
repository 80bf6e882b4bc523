using MusicLocker.Storage.Providers;

namespace MusicLocker.Storage;

/// <summary>
/// The one read-only window stream of the storage layer: a fixed number of bytes read from a source at a position (a file
/// handle, chunks in memory, a shared seekable stream, a response body). The base keeps the position, clamps every read
/// to the window and refuses a source that ends early; a subclass only reads at a position. A forward-only source (a
/// response body) overrides <see cref="CanSeek"/> to <see langword="false"/> and is then read from start to end once.
/// </summary>
internal abstract class ReadOnlyWindowStream(long length) : Stream
{
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => length;

    /// <summary>
    /// The store (<c>musiclocker.store</c>) whose <c>musiclocker.storage.bytes_read</c> counter counts the bytes as they are
    /// read from this stream, or <see langword="null"/> to count nothing (a body being uploaded).
    /// </summary>
    public string? CountsReadsFor { get; init; }

    public override long Position
    {
        get => _position;
        set
        {
            ThrowIfNotSeekable();
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
        return want == 0 ? 0 : Advance(ReadAt(_position, buffer[..want]));
    }

    // Pooled state machines: a read that completes later (a file read on the thread pool, a network read) allocated its
    // box on every call — ~300 B per 64 KiB chunk through the file store's two async layers.
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int want = Clamp(buffer.Length);
        return want == 0 ? 0 : Advance(await ReadAtAsync(_position, buffer[..want], cancellationToken).ConfigureAwait(false));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin)
    {
        ThrowIfNotSeekable();
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

    /// <summary>Moves past <paramref name="count"/> bytes (at least 1, inside the window) that the caller took without a read, counting them as read.</summary>
    protected void MarkRead(int count) => Advance(count);

    private int Clamp(int requested) => (int)Math.Clamp(length - _position, 0, requested);

    /// <summary>
    /// Moves past <paramref name="read"/> bytes. A source that has no more bytes inside the window (a connection closed
    /// early, a file cut short) is an error, never a silently shorter window.
    /// </summary>
    private int Advance(int read)
    {
        if (read == 0)
        {
            throw EndedEarly(_position);
        }

        _position += read;
        if (CountsReadsFor is { } store)
        {
            StorageInstrumentation.RecordBytesRead(store, read);
        }

        return read;
    }

    /// <summary>The error for a source that has no bytes at <paramref name="position"/>, inside the window.</summary>
    protected virtual Exception EndedEarly(long position) => new IOException($"The source ended after {position} of {length} bytes.");

    private void ThrowIfNotSeekable()
    {
        if (!CanSeek)
        {
            throw new NotSupportedException("This stream is read once, from start to end.");
        }
    }
}
