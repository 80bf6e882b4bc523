namespace MusicLocker.Storage.Providers;

/// <summary>
/// Writes a stream to an object store without holding it whole. A seekable stream is uploaded straight from its bytes:
/// each part is a window onto it, read under a lock when that part is sent (no copy). Any other stream is read once, in
/// chunks of a buffer: content that fits in one chunk goes up in one request, anything longer as parts uploaded in
/// parallel (at most <c>maxConcurrency</c> in flight, so memory stays at <c>(maxConcurrency + 1) × chunkSize</c>). Every
/// body can be opened again, so a retry sends the same bytes. Compiled into both cloud provider assemblies.
/// </summary>
internal static class ChunkedUpload
{
    /// <summary>What a provider does with the chunks.</summary>
    public interface ITarget<TSession, TPart, TResult>
    {
        /// <summary>The whole content fits in one chunk: write it in one request.</summary>
        Task<TResult> PutSingleAsync(PartBody content, CancellationToken cancellationToken);

        /// <summary>The content needs parts: start a session.</summary>
        Task<TSession> BeginAsync(CancellationToken cancellationToken);

        /// <summary>Stores one part (1-based).</summary>
        Task<TPart> PutPartAsync(TSession session, int partNumber, PartBody content, CancellationToken cancellationToken);

        /// <summary>Joins the parts, in order.</summary>
        Task<TResult> CompleteAsync(TSession session, TPart[] parts, CancellationToken cancellationToken);

        /// <summary>Discards the session after a failure (best effort, never throws).</summary>
        Task AbortAsync(TSession session);
    }

    public static async Task<TResult> RunAsync<TSession, TPart, TResult>(Stream content, int chunkSize, int maxConcurrency, ITarget<TSession, TPart, TResult> target, CancellationToken cancellationToken)
    {
        using IPartSource source = content.CanSeek ? new SeekableSource(content, chunkSize) : new BufferedSource(content, chunkSize);
        var (first, firstIsLast) = await source.NextAsync(cancellationToken).ConfigureAwait(false);
        TSession session;
        try
        {
            if (firstIsLast)
            {
                var single = await target.PutSingleAsync(first, cancellationToken).ConfigureAwait(false);
                source.Finished();
                return single;
            }

            session = await target.BeginAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (firstIsLast)
            {
                first.Release();
            }
        }

        var parts = new List<Task<TPart>>();
        using var gate = new SemaphoreSlim(maxConcurrency, maxConcurrency);
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        PartBody? body = first;
        try
        {
            bool isLast = false;
            for (int partNumber = 1; ; partNumber++)
            {
                await gate.WaitAsync(failed.Token).ConfigureAwait(false);
                parts.Add(PutPartAsync(target, session, partNumber, body!, gate, failed));
                body = null;
                if (isLast)
                {
                    break;
                }

                if (partNumber == BlobStoreLimits.MaxPartNumber)
                {
                    throw new BlobStoreException(BlobErrorCode.InvalidArgument, $"The content is longer than {BlobStoreLimits.MaxPartNumber} parts of {chunkSize} bytes; raise the part size.");
                }

                (body, isLast) = await source.NextAsync(failed.Token).ConfigureAwait(false);
            }

            var results = await Task.WhenAll(parts).ConfigureAwait(false);
            var result = await target.CompleteAsync(session, results, cancellationToken).ConfigureAwait(false);
            source.Finished();
            return result;
        }
        catch
        {
            body?.Release();
            await failed.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll(parts).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The first failure is rethrown below; the other parts only had to stop before the abort.
            }

            await target.AbortAsync(session).ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<TPart> PutPartAsync<TSession, TPart, TResult>(ITarget<TSession, TPart, TResult> target, TSession session, int partNumber, PartBody body, SemaphoreSlim gate, CancellationTokenSource failed)
    {
        try
        {
            // Run the request off the reading loop so the next chunk is read while this one is sent.
            await Task.Yield();
            return await target.PutPartAsync(session, partNumber, body, failed.Token).ConfigureAwait(false);
        }
        catch
        {
            await failed.CancelAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            body.Release();
            gate.Release();
        }
    }

    private interface IPartSource : IDisposable
    {
        /// <summary>The next part, and whether it is the last (the first part of empty content is empty and last).</summary>
        Task<(PartBody Body, bool IsLast)> NextAsync(CancellationToken cancellationToken);

        /// <summary>The upload succeeded: leave the source as a one-pass read would.</summary>
        void Finished();
    }

    /// <summary>Parts of a seekable stream, as windows onto it (its length is known, so is the last part).</summary>
    private sealed class SeekableSource(Stream content, int chunkSize) : IPartSource
    {
        private readonly long _start = content.Position;
        private readonly long _end = content.Length;
        private readonly SemaphoreSlim _lock = new(1, 1);
        private long _next = content.Position;

        public Task<(PartBody Body, bool IsLast)> NextAsync(CancellationToken cancellationToken)
        {
            long length = Math.Min(chunkSize, _end - _next);
            var body = new WindowBody(content, _lock, _next, length);
            _next += length;
            return Task.FromResult<(PartBody, bool)>((body, _next >= _end));
        }

        public void Finished() => content.Position = Math.Max(_start, _end);

        public void Dispose() => _lock.Dispose();
    }

    /// <summary>Chunks of a one-pass stream, read into buffers (one byte read ahead, carried over, tells the last chunk).</summary>
    private sealed class BufferedSource(Stream content, int chunkSize) : IPartSource
    {
        private readonly Stack<byte[]> _free = new();
        private readonly byte[] _peek = new byte[1];
        private bool _hasCarry;

        public async Task<(PartBody Body, bool IsLast)> NextAsync(CancellationToken cancellationToken)
        {
            byte[] buffer = Rent();
            try
            {
                int total = 0;
                if (_hasCarry)
                {
                    buffer[0] = _peek[0];
                    total = 1;
                    _hasCarry = false;
                }

                while (total < chunkSize)
                {
                    int n = await content.ReadAsync(buffer.AsMemory(total, chunkSize - total), cancellationToken).ConfigureAwait(false);
                    if (n == 0)
                    {
                        return (new BufferBody(buffer, total, Return), true);
                    }

                    total += n;
                }

                _hasCarry = await content.ReadAsync(_peek, cancellationToken).ConfigureAwait(false) == 1;
                return (new BufferBody(buffer, total, Return), !_hasCarry);
            }
            catch
            {
                Return(buffer);
                throw;
            }
        }

        public void Finished()
        {
        }

        public void Dispose()
        {
        }

        /// <summary>
        /// Buffers of this upload only, made on demand (at most <c>maxConcurrency + 1</c>) and dropped with it. Not the
        /// shared ArrayPool: it rounds 5–8 MiB up to the next power of two and keeps the arrays alive after the upload.
        /// </summary>
        private byte[] Rent()
        {
            lock (_free)
            {
                if (_free.TryPop(out var buffer))
                {
                    return buffer;
                }
            }

            return GC.AllocateUninitializedArray<byte>(chunkSize);
        }

        private void Return(byte[] buffer)
        {
            lock (_free)
            {
                _free.Push(buffer);
            }
        }
    }

    private sealed class BufferBody(byte[] buffer, int count, Action<byte[]> release) : PartBody(count)
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

    private sealed class WindowBody(Stream source, SemaphoreSlim gate, long start, long count) : PartBody(count)
    {
        public override Stream Open() => new WindowStream(source, gate, start, Length);
    }
}

/// <summary>The bytes of one request body; <see cref="Open"/> gives them again for each try.</summary>
internal abstract class PartBody(long length)
{
    /// <summary>The number of bytes.</summary>
    public long Length { get; } = length;

    /// <summary>A new read-only stream over the bytes, positioned at their start.</summary>
    public abstract Stream Open();

    /// <summary>The body will not be opened again (its buffer may be reused).</summary>
    public virtual void Release()
    {
    }
}

/// <summary>
/// A window onto a seekable stream that other windows read too: every read seeks and reads under one lock, so parts of
/// one source can be sent in parallel. Seekable within the window (an SDK may read a body twice: to sign it, to send it).
/// </summary>
internal sealed class WindowStream(Stream source, SemaphoreSlim gate, long start, long length) : Stream
{
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => _position = value >= 0 && value <= length ? value : throw new ArgumentOutOfRangeException(nameof(value), value, $"A position in this window is 0 to {length}.");
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int want = (int)Math.Min(buffer.Length, length - _position);
        if (want <= 0)
        {
            return 0;
        }

        gate.Wait();
        try
        {
            source.Position = start + _position;
            int n = source.Read(buffer[..want]);
            _position += n;
            return n;
        }
        finally
        {
            gate.Release();
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int want = (int)Math.Min(buffer.Length, length - _position);
        if (want <= 0)
        {
            return 0;
        }

        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            source.Position = start + _position;
            int n = await source.ReadAsync(buffer[..want], cancellationToken).ConfigureAwait(false);
            _position += n;
            return n;
        }
        finally
        {
            gate.Release();
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => length + offset,
        };
        return _position;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
