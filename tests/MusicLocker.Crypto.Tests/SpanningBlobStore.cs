using MusicLocker.Storage;
using MusicLocker.Storage.Providers;

namespace MusicLocker.Crypto.Tests;

/// <summary>
/// A pass-through store that reports each call the way a provider does (<see cref="StorageInstrumentation.StartOperation"/>,
/// store <c>test-inner</c>), so a test can see the inner store's spans nest under the encrypted store's.
/// </summary>
internal sealed class SpanningBlobStore(IBlobStore inner) : IBlobStore
{
    public const string Name = "test-inner";

    public Task<BlobProperties> GetPropertiesAsync(BlobKey key, CancellationToken cancellationToken = default) =>
        Spanned("get_properties", key, () => inner.GetPropertiesAsync(key, cancellationToken));

    public Task<BlobDownload> OpenReadAsync(BlobKey key, ReadBlobOptions? options = null, CancellationToken cancellationToken = default) =>
        Spanned("read", key, () => inner.OpenReadAsync(key, options, cancellationToken));

    public Task<BlobProperties> PutAsync(BlobKey key, Stream content, PutBlobOptions? options = null, CancellationToken cancellationToken = default) =>
        Spanned("put", key, () => inner.PutAsync(key, content, options, cancellationToken));

    public Task<BlobProperties> CopyAsync(BlobKey source, BlobKey destination, BlobRequestConditions? destinationConditions = null, CancellationToken cancellationToken = default) =>
        inner.CopyAsync(source, destination, destinationConditions, cancellationToken);

    public Task<bool> DeleteAsync(BlobKey key, BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, conditions, cancellationToken);

    public IAsyncEnumerable<BlobItem> ListAsync(string prefix = "", CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);

    public Task<MultipartUpload> StartMultipartUploadAsync(BlobKey key, PutBlobOptions? options = null, CancellationToken cancellationToken = default) => inner.StartMultipartUploadAsync(key, options, cancellationToken);

    public Task<UploadedPart> UploadPartAsync(MultipartUpload upload, int partNumber, Stream content, CancellationToken cancellationToken = default) => inner.UploadPartAsync(upload, partNumber, content, cancellationToken);

    public Task<IReadOnlyList<UploadedPart>> ListPartsAsync(MultipartUpload upload, CancellationToken cancellationToken = default) => inner.ListPartsAsync(upload, cancellationToken);

    public Task<BlobProperties> CompleteMultipartUploadAsync(MultipartUpload upload, IReadOnlyList<UploadedPart> parts, CancellationToken cancellationToken = default) => inner.CompleteMultipartUploadAsync(upload, parts, cancellationToken);

    public Task AbortMultipartUploadAsync(MultipartUpload upload, CancellationToken cancellationToken = default) => inner.AbortMultipartUploadAsync(upload, cancellationToken);

    private static async Task<T> Spanned<T>(string operation, BlobKey key, Func<Task<T>> call)
    {
        using var op = StorageInstrumentation.StartOperation(Name, operation, key);
        try
        {
            return await call();
        }
        catch (Exception ex)
        {
            op.Fail(ex);
            throw;
        }
    }
}
