namespace MusicLocker.Storage.Providers;

/// <summary>
/// The bytes of one request body of an upload (a whole small blob, or one part). <see cref="Open"/> gives them again for
/// every try, so a provider that retries a request sends the same bytes.
/// </summary>
public abstract class PartBody
{
    /// <summary>Creates a body of <paramref name="length"/> bytes.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative.</exception>
    protected PartBody(long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
    }

    /// <summary>The number of bytes (send it as the request's <c>Content-Length</c>).</summary>
    public long Length { get; }

    /// <summary>
    /// A body over the bytes of a seekable stream from its current position to its end, without a copy. Each
    /// <see cref="Open"/> is a new window onto the stream; windows of one body read under one lock. The stream stays the
    /// caller's: it is neither disposed nor left at another position than the last read put it.
    /// </summary>
    /// <exception cref="ArgumentException">The stream cannot read or cannot seek.</exception>
    public static PartBody FromSeekableStream(Stream content)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (!content.CanRead || !content.CanSeek)
        {
            throw new ArgumentException("The stream must be readable and seekable; spool any other stream first.", nameof(content));
        }

        long start = content.Position;
        return new WindowBody(content, new SemaphoreSlim(1, 1), start, Math.Max(0, content.Length - start));
    }

    /// <summary>A new read-only stream over the bytes, positioned at their start. Dispose it after each try.</summary>
    public abstract Stream Open();

    /// <summary>Called once the body will not be opened again, so its buffer can be reused. Safe to call twice.</summary>
    public virtual void Release()
    {
    }

    /// <summary>A window onto a seekable stream (shared, under <paramref name="gate"/>, with the other windows of that stream).</summary>
    internal sealed class WindowBody(Stream source, SemaphoreSlim gate, long start, long length) : PartBody(length)
    {
        public override Stream Open() => new SharedStreamWindow(source, gate, start, Length);
    }

    /// <summary>The first <paramref name="count"/> bytes of a buffer; <paramref name="release"/> gets the buffer back once.</summary>
    internal sealed class BufferBody(byte[] buffer, int count, Action<byte[]> release) : PartBody(count)
    {
        private int _released;

        public override Stream Open() => new MemoryStream(buffer, 0, (int)Length, writable: false);

        public override void Release()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                release(buffer);
            }
        }
    }
}
