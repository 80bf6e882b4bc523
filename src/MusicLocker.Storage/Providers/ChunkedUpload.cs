using System.Runtime.ExceptionServices;

namespace MusicLocker.Storage.Providers;

/// <summary>
/// Writes a stream to an object store without holding it whole. A seekable stream is uploaded straight from its bytes:
/// each part is a window onto it, read under a lock when that part is sent (no copy). Any other stream is read once, in
/// chunks of a buffer. Content that fits in one part goes up in one request (<see cref="IChunkedUploadTarget{TSession, TPart, TResult}.PutSingleAsync"/>),
/// anything longer as parts uploaded in parallel, at most <c>maxConcurrency</c> in flight, so a one-pass stream costs at
/// most <c>(maxConcurrency + 1) × partSize</c> bytes of memory. Every body can be opened again, so a retry sends the same
/// bytes. When a part fails the others are cancelled, the session is aborted and the first failure is thrown.
/// </summary>
public static class ChunkedUpload
{
    /// <summary>Uploads <paramref name="content"/> from its current position to its end.</summary>
    /// <param name="content">The bytes; a seekable stream is left at its end after a successful upload.</param>
    /// <param name="partSize">The size of every part but the last (and the most a single request holds).</param>
    /// <param name="maxConcurrency">The most parts in flight at once.</param>
    /// <param name="target">The provider's requests.</param>
    /// <param name="cancellationToken">Cancels the upload (the session is then aborted).</param>
    /// <exception cref="ArgumentException">The stream cannot be read.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="partSize"/> or <paramref name="maxConcurrency"/> is not positive.</exception>
    /// <exception cref="BlobStoreException">
    /// <see cref="BlobErrorCode.InvalidArgument"/>: the content needs more than <see cref="BlobStoreLimits.MaxPartNumber"/> parts.
    /// </exception>
    public static Task<TResult> RunAsync<TSession, TPart, TResult>(Stream content, int partSize, int maxConcurrency, IChunkedUploadTarget<TSession, TPart, TResult> target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(partSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxConcurrency);
        if (!content.CanRead)
        {
            throw new ArgumentException("The content stream cannot be read.", nameof(content));
        }

        return RunCoreAsync(content, partSize, maxConcurrency, target, cancellationToken);
    }

    private static async Task<TResult> RunCoreAsync<TSession, TPart, TResult>(Stream content, int partSize, int maxConcurrency, IChunkedUploadTarget<TSession, TPart, TResult> target, CancellationToken cancellationToken)
    {
        using IPartSource source = content.CanSeek ? new SeekableSource(content, partSize) : new BufferedSource(content, partSize);
        var (first, firstIsLast) = await source.NextAsync(cancellationToken).ConfigureAwait(false);
        if (firstIsLast)
        {
            try
            {
                var single = await target.PutSingleAsync(first, cancellationToken).ConfigureAwait(false);
                source.Finished();
                return single;
            }
            finally
            {
                first.Release();
            }
        }

        TSession session;
        try
        {
            session = await target.BeginAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            first.Release();
            throw;
        }

        return await PutPartsAsync(source, first, partSize, maxConcurrency, target, session, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<TResult> PutPartsAsync<TSession, TPart, TResult>(IPartSource source, PartBody first, int partSize, int maxConcurrency, IChunkedUploadTarget<TSession, TPart, TResult> target, TSession session, CancellationToken cancellationToken)
    {
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
                    throw new BlobStoreException(BlobErrorCode.InvalidArgument, $"The content is longer than {BlobStoreLimits.MaxPartNumber} parts of {partSize} bytes; raise the part size.");
                }

                (body, isLast) = await source.NextAsync(failed.Token).ConfigureAwait(false);
            }

            var results = await Task.WhenAll(parts).ConfigureAwait(false);
            var result = await target.CompleteAsync(session, results, cancellationToken).ConfigureAwait(false);
            source.Finished();
            return result;
        }
        catch (Exception ex)
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

            await target.AbortAsync(session, CancellationToken.None).ConfigureAwait(false);

            // A failed part cancels the reading loop too: the caller gets the part's error, not that cancellation.
            if (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested && FirstFailure(parts) is { } partFailure)
            {
                ExceptionDispatchInfo.Throw(partFailure);
            }

            throw;
        }
    }

    private static Exception? FirstFailure<TPart>(List<Task<TPart>> parts)
    {
        foreach (var part in parts)
        {
            if (part.IsFaulted && part.Exception.InnerException is { } error && error is not OperationCanceledException)
            {
                return error;
            }
        }

        return null;
    }

    private static async Task<TPart> PutPartAsync<TSession, TPart, TResult>(IChunkedUploadTarget<TSession, TPart, TResult> target, TSession session, int partNumber, PartBody body, SemaphoreSlim gate, CancellationTokenSource failed)
    {
        try
        {
            // Run the request off the reading loop so the next part is read while this one is sent.
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
    private sealed class SeekableSource(Stream content, int partSize) : IPartSource
    {
        private readonly long _start = content.Position;
        private readonly long _end = content.Length;
        private readonly SemaphoreSlim _lock = new(1, 1);
        private long _next = content.Position;

        public Task<(PartBody Body, bool IsLast)> NextAsync(CancellationToken cancellationToken)
        {
            long length = Math.Max(0, Math.Min(partSize, _end - _next));
            var body = new PartBody.WindowBody(content, _lock, _next, length);
            _next += length;
            return Task.FromResult<(PartBody, bool)>((body, _next >= _end));
        }

        public void Finished() => content.Position = Math.Max(_start, _end);

        public void Dispose() => _lock.Dispose();
    }

    /// <summary>Chunks of a one-pass stream, read into buffers (one byte read ahead, carried over, tells the last chunk).</summary>
    private sealed class BufferedSource(Stream content, int partSize) : IPartSource
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

                total += await content.ReadAtLeastAsync(buffer.AsMemory(total, partSize - total), partSize - total, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                _hasCarry = total == partSize && await content.ReadAsync(_peek, cancellationToken).ConfigureAwait(false) == 1;
                return (new PartBody.BufferBody(buffer, total, Return), !_hasCarry);
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

            return GC.AllocateUninitializedArray<byte>(partSize);
        }

        private void Return(byte[] buffer)
        {
            lock (_free)
            {
                _free.Push(buffer);
            }
        }
    }
}
