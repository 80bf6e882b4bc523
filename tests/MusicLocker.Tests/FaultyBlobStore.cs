using MusicLocker.Storage;

namespace MusicLocker.Tests;

/// <summary>
/// A store that counts its mutating calls (put, copy, delete, multipart start/part/complete/abort) and fails the
/// <see cref="FailAt"/>-th one as an unavailable store would (nothing done), or all of them from then on.
/// </summary>
internal sealed class FaultyBlobStore(IBlobStore inner) : IBlobStore
{
    private int _calls;

    /// <summary>The 1-based mutating call to fail; 0 for none.</summary>
    public int FailAt { get; set; }

    /// <summary>Fail every mutating call from <see cref="FailAt"/> on (a store that went away), not only that one.</summary>
    public bool StayDown { get; set; }

    public int MutatingCalls => _calls;

    public List<string> Log { get; } = [];

    public int PartsUploaded { get; private set; }

    /// <summary>Runs before each part is stored (with its number): a test's hook into the middle of a part's store.</summary>
    public Action<int, CancellationToken>? BeforePart { get; set; }

    private void Mutate(string operation, BlobKey key)
    {
        int call = Interlocked.Increment(ref _calls);
        lock (Log)
        {
            Log.Add($"{call}: {operation} {key}");
        }

        if (FailAt > 0 && (call == FailAt || (StayDown && call > FailAt)))
        {
            throw new BlobStoreException(BlobErrorCode.Unavailable, $"injected fault at call {call} ({operation} {key})", key.Value);
        }
    }

    public Task<BlobProperties> GetPropertiesAsync(BlobKey key, CancellationToken cancellationToken = default) => inner.GetPropertiesAsync(key, cancellationToken);

    public Task<BlobDownload> OpenReadAsync(BlobKey key, ReadBlobOptions? options = null, CancellationToken cancellationToken = default) => inner.OpenReadAsync(key, options, cancellationToken);

    public Task<BlobProperties> PutAsync(BlobKey key, Stream content, PutBlobOptions? options = null, CancellationToken cancellationToken = default)
    {
        Mutate("put", key);
        return inner.PutAsync(key, content, options, cancellationToken);
    }

    public Task<BlobProperties> CopyAsync(BlobKey source, BlobKey destination, BlobRequestConditions? destinationConditions = null, CancellationToken cancellationToken = default)
    {
        Mutate("copy", destination);
        return inner.CopyAsync(source, destination, destinationConditions, cancellationToken);
    }

    public Task<bool> DeleteAsync(BlobKey key, BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default)
    {
        Mutate("delete", key);
        return inner.DeleteAsync(key, conditions, cancellationToken);
    }

    public IAsyncEnumerable<BlobItem> ListAsync(string prefix = "", CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);

    public Task<MultipartUpload> StartMultipartUploadAsync(BlobKey key, PutBlobOptions? options = null, CancellationToken cancellationToken = default)
    {
        Mutate("start", key);
        return inner.StartMultipartUploadAsync(key, options, cancellationToken);
    }

    public Task<UploadedPart> UploadPartAsync(MultipartUpload upload, int partNumber, Stream content, CancellationToken cancellationToken = default)
    {
        Mutate("part " + partNumber, upload.Key);
        BeforePart?.Invoke(partNumber, cancellationToken);
        PartsUploaded++;
        return inner.UploadPartAsync(upload, partNumber, content, cancellationToken);
    }

    public Task<IReadOnlyList<UploadedPart>> ListPartsAsync(MultipartUpload upload, CancellationToken cancellationToken = default) => inner.ListPartsAsync(upload, cancellationToken);

    public Task<BlobProperties> CompleteMultipartUploadAsync(MultipartUpload upload, IReadOnlyList<UploadedPart> parts, CancellationToken cancellationToken = default)
    {
        Mutate("complete", upload.Key);
        return inner.CompleteMultipartUploadAsync(upload, parts, cancellationToken);
    }

    public Task AbortMultipartUploadAsync(MultipartUpload upload, CancellationToken cancellationToken = default)
    {
        Mutate("abort", upload.Key);
        return inner.AbortMultipartUploadAsync(upload, cancellationToken);
    }
}
