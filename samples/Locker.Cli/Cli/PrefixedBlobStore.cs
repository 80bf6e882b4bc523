using System.Runtime.CompilerServices;
using MusicLocker.Storage;

namespace Locker.Cli.Cli;

/// <summary>
/// A store under a key prefix of another (<c>s3://bucket/prefix</c>): every key the locker uses is stored as
/// <c>prefix + key</c>, and listings strip the prefix again, so two lockers can share a bucket.
/// </summary>
internal sealed class PrefixedBlobStore(IBlobStore inner, string prefix) : IBlobStore, IAsyncDisposable
{
    private BlobKey Outer(BlobKey key) => BlobKey.Parse(prefix + key.Value);

    private BlobKey Inner(BlobKey key) => BlobKey.Parse(key.Value[prefix.Length..]);

    private BlobProperties Inner(BlobProperties p) => new(Inner(p.Key), p.Length, p.ETag, p.LastModified, p.ContentType, p.Metadata);

    private MultipartUpload Outer(MultipartUpload upload) => upload with { Key = Outer(upload.Key) };

    public async Task<BlobProperties> GetPropertiesAsync(BlobKey key, CancellationToken cancellationToken = default) =>
        Inner(await inner.GetPropertiesAsync(Outer(key), cancellationToken));

    public async Task<BlobDownload> OpenReadAsync(BlobKey key, ReadBlobOptions? options = null, CancellationToken cancellationToken = default)
    {
        var download = await inner.OpenReadAsync(Outer(key), options, cancellationToken);
        return new BlobDownload(download.Content, Inner(download.Properties), download.Offset, download.Length);
    }

    public async Task<BlobProperties> PutAsync(BlobKey key, Stream content, PutBlobOptions? options = null, CancellationToken cancellationToken = default) =>
        Inner(await inner.PutAsync(Outer(key), content, options, cancellationToken));

    public async Task<BlobProperties> CopyAsync(BlobKey source, BlobKey destination, BlobRequestConditions? destinationConditions = null, CancellationToken cancellationToken = default) =>
        Inner(await inner.CopyAsync(Outer(source), Outer(destination), destinationConditions, cancellationToken));

    public Task<bool> DeleteAsync(BlobKey key, BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default) =>
        inner.DeleteAsync(Outer(key), conditions, cancellationToken);

    public async IAsyncEnumerable<BlobItem> ListAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var item in inner.ListAsync(this.Prefix + prefix, cancellationToken))
        {
            yield return item with { Key = Inner(item.Key) };
        }
    }

    public async Task<MultipartUpload> StartMultipartUploadAsync(BlobKey key, PutBlobOptions? options = null, CancellationToken cancellationToken = default)
    {
        var upload = await inner.StartMultipartUploadAsync(Outer(key), options, cancellationToken);
        return upload with { Key = key };
    }

    public Task<UploadedPart> UploadPartAsync(MultipartUpload upload, int partNumber, Stream content, CancellationToken cancellationToken = default) =>
        inner.UploadPartAsync(Outer(upload), partNumber, content, cancellationToken);

    public Task<IReadOnlyList<UploadedPart>> ListPartsAsync(MultipartUpload upload, CancellationToken cancellationToken = default) =>
        inner.ListPartsAsync(Outer(upload), cancellationToken);

    public async Task<BlobProperties> CompleteMultipartUploadAsync(MultipartUpload upload, IReadOnlyList<UploadedPart> parts, CancellationToken cancellationToken = default) =>
        Inner(await inner.CompleteMultipartUploadAsync(Outer(upload), parts, cancellationToken));

    public Task AbortMultipartUploadAsync(MultipartUpload upload, CancellationToken cancellationToken = default) =>
        inner.AbortMultipartUploadAsync(Outer(upload), cancellationToken);

    private string Prefix => prefix;

    public ValueTask DisposeAsync() => inner is IAsyncDisposable d ? d.DisposeAsync() : ValueTask.CompletedTask;
}
