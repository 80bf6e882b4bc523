using System.Runtime.CompilerServices;
using MusicLocker.Storage;

namespace MusicLocker.Streaming.Tests.Support;

/// <summary>
/// A pass-through store that counts reads and the bytes pulled through their streams, records when a read stream was
/// disposed or saw its cancellation, and can hold every read after <see cref="GateAfter"/> bytes until
/// <see cref="Gate"/> is released (a storage read that waits for the network).
/// </summary>
internal sealed class CountingBlobStore(IBlobStore inner) : IBlobStore
{
    private long _bytesRead;
    private int _reads;
    private int _propertyReads;
    private int _openStreams;

    /// <summary>OpenReadAsync calls.</summary>
    public int Reads => Volatile.Read(ref _reads);

    /// <summary>GetPropertiesAsync calls (a HEAD on a cloud store).</summary>
    public int PropertyReads => Volatile.Read(ref _propertyReads);

    /// <summary>Bytes returned by the read streams so far.</summary>
    public long BytesRead => Interlocked.Read(ref _bytesRead);

    /// <summary>Read streams not yet disposed.</summary>
    public int OpenStreams => Volatile.Read(ref _openStreams);

    /// <summary>The buffer length of every read asked of the read streams, in order.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<int> AskedSizes { get; } = new();

    /// <summary>When set, every read completes later (yields first), as a read that waits for a file or the network does.</summary>
    public bool ReadsWait { get; init; }

    /// <summary>When set, reads past this many bytes (per stream) wait for <see cref="Gate"/>.</summary>
    public long? GateAfter { get; set; }

    public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a read stream waited at the gate.</summary>
    public TaskCompletionSource ReachedGate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a read saw its cancellation token fire.</summary>
    public TaskCompletionSource ReadCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when every read stream opened so far was disposed.</summary>
    public TaskCompletionSource AllClosed { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>When set, runs before every OpenReadAsync and GetPropertiesAsync (a test's hook between a caller's reads).</summary>
    public Func<BlobKey, CancellationToken, Task>? BeforeRead { get; set; }

    public void ResetCounts()
    {
        _reads = 0;
        _propertyReads = 0;
        _bytesRead = 0;
    }

    public async Task<BlobDownload> OpenReadAsync(BlobKey key, ReadBlobOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _reads);
        if (BeforeRead is { } hook)
        {
            await hook(key, cancellationToken);
        }

        var download = await inner.OpenReadAsync(key, options, cancellationToken);
        if (Interlocked.Increment(ref _openStreams) == 1)
        {
            AllClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        return new BlobDownload(new CountingStream(this, download.Content), download.Properties, download.Offset, download.Length);
    }

    public async Task<BlobProperties> GetPropertiesAsync(BlobKey key, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _propertyReads);
        if (BeforeRead is { } hook)
        {
            await hook(key, cancellationToken);
        }

        return await inner.GetPropertiesAsync(key, cancellationToken);
    }

    public Task<BlobProperties> PutAsync(BlobKey key, Stream content, PutBlobOptions? options = null, CancellationToken cancellationToken = default) => inner.PutAsync(key, content, options, cancellationToken);

    public Task<BlobProperties> CopyAsync(BlobKey source, BlobKey destination, BlobRequestConditions? destinationConditions = null, CancellationToken cancellationToken = default) =>
        inner.CopyAsync(source, destination, destinationConditions, cancellationToken);

    public Task<bool> DeleteAsync(BlobKey key, BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, conditions, cancellationToken);

    public async IAsyncEnumerable<BlobItem> ListAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var item in inner.ListAsync(prefix, cancellationToken))
        {
            yield return item;
        }
    }

    public Task<MultipartUpload> StartMultipartUploadAsync(BlobKey key, PutBlobOptions? options = null, CancellationToken cancellationToken = default) => inner.StartMultipartUploadAsync(key, options, cancellationToken);

    public Task<UploadedPart> UploadPartAsync(MultipartUpload upload, int partNumber, Stream content, CancellationToken cancellationToken = default) => inner.UploadPartAsync(upload, partNumber, content, cancellationToken);

    public Task<IReadOnlyList<UploadedPart>> ListPartsAsync(MultipartUpload upload, CancellationToken cancellationToken = default) => inner.ListPartsAsync(upload, cancellationToken);

    public Task<BlobProperties> CompleteMultipartUploadAsync(MultipartUpload upload, IReadOnlyList<UploadedPart> parts, CancellationToken cancellationToken = default) =>
        inner.CompleteMultipartUploadAsync(upload, parts, cancellationToken);

    public Task AbortMultipartUploadAsync(MultipartUpload upload, CancellationToken cancellationToken = default) => inner.AbortMultipartUploadAsync(upload, cancellationToken);

    private sealed class CountingStream(CountingBlobStore owner, Stream inner) : Stream
    {
        private long _position;
        private int _disposed;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("The range reader reads asynchronously.");

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            owner.AskedSizes.Enqueue(buffer.Length);
            if (owner.ReadsWait)
            {
                await Task.Yield();
            }

            if (owner.GateAfter is { } after && _position >= after)
            {
                owner.ReachedGate.TrySetResult();
                try
                {
                    await owner.Gate.Task.WaitAsync(cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    owner.ReadCancelled.TrySetResult();
                    throw;
                }
            }

            if (owner.GateAfter is { } limit && _position < limit)
            {
                buffer = buffer[..(int)Math.Min(buffer.Length, limit - _position)];
            }

            int n = await inner.ReadAsync(buffer, cancellationToken);
            _position += n;
            Interlocked.Add(ref owner._bytesRead, n);
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                inner.Dispose();
                if (Interlocked.Decrement(ref owner._openStreams) == 0)
                {
                    owner.AllClosed.TrySetResult();
                }
            }

            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            Dispose(true);
            await base.DisposeAsync();
        }
    }
}
