using System.Collections.Concurrent;
using MusicLocker.Storage;

namespace MusicLocker.AspNetCore.Tests.Support;

/// <summary>
/// The store a test locker is given: passes every call to <paramref name="inner"/> (the counted store), hands out read
/// URLs of the raw provider store (so <c>RedirectToStorage</c> sees an S3/Azure store through the counting wrapper), and,
/// for s3rver (which lacks ListParts, a declared emulator gap), answers ListParts from the parts it saw uploaded.
/// </summary>
internal sealed class EmulatorShimStore(IBlobStore inner, IBlobReadUrlSource? urls, bool listPartsFromMemory) : IBlobStore, IBlobReadUrlSource
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<int, UploadedPart>> _parts = new(StringComparer.Ordinal);

    public bool CanSignUrls => urls is not null;

    public Task<Uri> GetReadUrlAsync(BlobKey key, TimeSpan validity, CancellationToken cancellationToken = default) =>
        urls?.GetReadUrlAsync(key, validity, cancellationToken) ?? throw new NotSupportedException("this store signs no URL");

    public Task<BlobProperties> GetPropertiesAsync(BlobKey key, CancellationToken cancellationToken = default) => inner.GetPropertiesAsync(key, cancellationToken);

    public Task<BlobDownload> OpenReadAsync(BlobKey key, ReadBlobOptions? options = null, CancellationToken cancellationToken = default) => inner.OpenReadAsync(key, options, cancellationToken);

    public Task<BlobProperties> PutAsync(BlobKey key, Stream content, PutBlobOptions? options = null, CancellationToken cancellationToken = default) => inner.PutAsync(key, content, options, cancellationToken);

    public Task<BlobProperties> CopyAsync(BlobKey source, BlobKey destination, BlobRequestConditions? destinationConditions = null, CancellationToken cancellationToken = default) =>
        inner.CopyAsync(source, destination, destinationConditions, cancellationToken);

    public Task<bool> DeleteAsync(BlobKey key, BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, conditions, cancellationToken);

    public IAsyncEnumerable<BlobItem> ListAsync(string prefix = "", CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);

    public Task<MultipartUpload> StartMultipartUploadAsync(BlobKey key, PutBlobOptions? options = null, CancellationToken cancellationToken = default) => inner.StartMultipartUploadAsync(key, options, cancellationToken);

    public async Task<UploadedPart> UploadPartAsync(MultipartUpload upload, int partNumber, Stream content, CancellationToken cancellationToken = default)
    {
        var part = await inner.UploadPartAsync(upload, partNumber, content, cancellationToken);
        _parts.GetOrAdd(upload.UploadId, _ => new())[partNumber] = part;
        return part;
    }

    public Task<IReadOnlyList<UploadedPart>> ListPartsAsync(MultipartUpload upload, CancellationToken cancellationToken = default) =>
        listPartsFromMemory
            ? Task.FromResult<IReadOnlyList<UploadedPart>>(_parts.TryGetValue(upload.UploadId, out var parts) ? [.. parts.Values.OrderBy(p => p.PartNumber)] : [])
            : inner.ListPartsAsync(upload, cancellationToken);

    public Task<BlobProperties> CompleteMultipartUploadAsync(MultipartUpload upload, IReadOnlyList<UploadedPart> parts, CancellationToken cancellationToken = default) =>
        inner.CompleteMultipartUploadAsync(upload, parts, cancellationToken);

    public Task AbortMultipartUploadAsync(MultipartUpload upload, CancellationToken cancellationToken = default) => inner.AbortMultipartUploadAsync(upload, cancellationToken);
}
