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

    /// <summary>
    /// A body over any readable stream, for a request that a retry must be able to send again. A seekable stream is used
    /// in place (<see cref="FromSeekableStream"/>); any other is first copied to a temporary file, never to memory (a part
    /// may be gigabytes), which <see cref="Release"/> deletes. Call <see cref="Release"/> when the request is done.
    /// </summary>
    /// <exception cref="ArgumentException">The stream cannot read.</exception>
    public static Task<PartBody> FromStreamAsync(Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (!content.CanRead)
        {
            throw new ArgumentException("The stream cannot be read.", nameof(content));
        }

        return content.CanSeek ? Task.FromResult(FromSeekableStream(content)) : SpoolAsync(content, cancellationToken);
    }

    /// <summary>A new read-only stream over the bytes, positioned at their start. Dispose it after each try.</summary>
    public abstract Stream Open();

    /// <summary>Called once the body will not be opened again, so its buffer can be reused. Safe to call twice.</summary>
    public virtual void Release()
    {
    }

    private static async Task<PartBody> SpoolAsync(Stream content, CancellationToken cancellationToken)
    {
        var spool = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            await content.CopyToAsync(spool, cancellationToken).ConfigureAwait(false);
            return new SpooledBody(spool, new SemaphoreSlim(1, 1));
        }
        catch
        {
            await spool.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A window onto a seekable stream (shared, under <paramref name="gate"/>, with the other windows of that stream).</summary>
    internal sealed class WindowBody(Stream source, SemaphoreSlim gate, long start, long length) : PartBody(length)
    {
        public override Stream Open() => new SharedStreamWindow(source, gate, start, Length);
    }

    /// <summary>A temporary file holding a copy of a one-way stream; released, it is closed and deleted.</summary>
    private sealed class SpooledBody(FileStream spool, SemaphoreSlim gate) : PartBody(spool.Length)
    {
        public override Stream Open() => new SharedStreamWindow(spool, gate, 0, Length);

        public override void Release() => spool.Dispose();
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
