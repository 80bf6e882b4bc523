namespace MusicLocker.Storage.Providers;

/// <summary>
/// Writes a stream of unknown length to an object store without holding it whole: reads it once, in chunks of a pooled
/// buffer; content that fits in one chunk goes up in one request, anything longer as parts uploaded in parallel (at most
/// <c>maxConcurrency</c> in flight, so memory stays at <c>(maxConcurrency + 1) × chunkSize</c>). Every request body is a
/// buffer, so a retry can send it again. Compiled into both cloud provider assemblies.
/// </summary>
internal static class ChunkedUpload
{
    /// <summary>What a provider does with the chunks.</summary>
    public interface ITarget<TSession, TPart, TResult>
    {
        /// <summary>The whole content fitted in one chunk: write it in one request.</summary>
        Task<TResult> PutSingleAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

        /// <summary>The content needs parts: start a session.</summary>
        Task<TSession> BeginAsync(CancellationToken cancellationToken);

        /// <summary>Stores one part (1-based).</summary>
        Task<TPart> PutPartAsync(TSession session, int partNumber, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

        /// <summary>Joins the parts, in order.</summary>
        Task<TResult> CompleteAsync(TSession session, TPart[] parts, CancellationToken cancellationToken);

        /// <summary>Discards the session after a failure (best effort, never throws).</summary>
        Task AbortAsync(TSession session);
    }

    public static async Task<TResult> RunAsync<TSession, TPart, TResult>(Stream content, int chunkSize, int maxConcurrency, ITarget<TSession, TPart, TResult> target, CancellationToken cancellationToken)
    {
        var reader = new ChunkReader(content, chunkSize);
        var pool = new BufferPool(chunkSize);
        byte[] first = pool.Rent();
        (int Length, bool IsLast) chunk;
        TSession session;
        try
        {
            chunk = await reader.ReadAsync(first, cancellationToken).ConfigureAwait(false);
            if (chunk.IsLast)
            {
                return await target.PutSingleAsync(first.AsMemory(0, chunk.Length), cancellationToken).ConfigureAwait(false);
            }

            session = await target.BeginAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            pool.Return(first);
            throw;
        }

        var parts = new List<Task<TPart>>();
        using var gate = new SemaphoreSlim(maxConcurrency, maxConcurrency);
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        byte[]? buffer = first;
        try
        {
            for (int partNumber = 1; ; partNumber++)
            {
                await gate.WaitAsync(failed.Token).ConfigureAwait(false);
                parts.Add(PutPartAsync(target, session, partNumber, buffer, chunk.Length, pool, gate, failed));
                buffer = null;
                if (chunk.IsLast)
                {
                    break;
                }

                if (partNumber == BlobStoreLimits.MaxPartNumber)
                {
                    throw new BlobStoreException(BlobErrorCode.InvalidArgument, $"The content is longer than {BlobStoreLimits.MaxPartNumber} parts of {chunkSize} bytes; raise the part size.");
                }

                buffer = pool.Rent();
                chunk = await reader.ReadAsync(buffer, failed.Token).ConfigureAwait(false);
            }

            var results = await Task.WhenAll(parts).ConfigureAwait(false);
            return await target.CompleteAsync(session, results, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            if (buffer is not null)
            {
                pool.Return(buffer);
            }

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

    private static async Task<TPart> PutPartAsync<TSession, TPart, TResult>(ITarget<TSession, TPart, TResult> target, TSession session, int partNumber, byte[] buffer, int length, BufferPool pool, SemaphoreSlim gate, CancellationTokenSource failed)
    {
        try
        {
            // Run the request off the reading loop so the next chunk is read while this one is sent.
            await Task.Yield();
            return await target.PutPartAsync(session, partNumber, buffer.AsMemory(0, length), failed.Token).ConfigureAwait(false);
        }
        catch
        {
            await failed.CancelAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            pool.Return(buffer);
            gate.Release();
        }
    }

    /// <summary>
    /// The chunk buffers of one upload, made on demand (at most <c>maxConcurrency + 1</c>) and dropped with it. Not the shared
    /// ArrayPool: it rounds 5–8 MiB up to the next power of two and keeps the arrays alive per core after the upload.
    /// </summary>
    private sealed class BufferPool(int size)
    {
        private readonly Stack<byte[]> _free = new();

        public byte[] Rent()
        {
            lock (_free)
            {
                if (_free.TryPop(out var buffer))
                {
                    return buffer;
                }
            }

            return GC.AllocateUninitializedArray<byte>(size);
        }

        public void Return(byte[] buffer)
        {
            lock (_free)
            {
                _free.Push(buffer);
            }
        }
    }

    /// <summary>Reads fixed-size chunks and knows whether a chunk is the last one (by reading one byte ahead, carried over).</summary>
    private sealed class ChunkReader(Stream content, int chunkSize)
    {
        private readonly byte[] _peek = new byte[1];
        private bool _hasCarry;

        public async Task<(int Length, bool IsLast)> ReadAsync(byte[] buffer, CancellationToken cancellationToken)
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
                    return (total, true);
                }

                total += n;
            }

            _hasCarry = await content.ReadAsync(_peek, cancellationToken).ConfigureAwait(false) == 1;
            return (total, !_hasCarry);
        }
    }
}
