namespace MusicLocker.Storage.Providers;

/// <summary>The two requests of a provider that <see cref="RangedRead"/> needs to serve <see cref="IBlobStore.OpenReadAsync"/>.</summary>
public interface IRangedReadTarget
{
    /// <summary>Reads the blob's properties (a HEAD); throws <see cref="BlobNotFoundException"/> when there is no blob.</summary>
    Task<BlobProperties> GetPropertiesAsync(BlobKey key, CancellationToken cancellationToken);

    /// <summary>
    /// Sends the GET and returns the download, checked with <see cref="RangeResponse.Resolve"/> and built with
    /// <see cref="RangeResponse.CreateDownload"/>. Throws <see cref="BlobConditionFailedException"/> when
    /// <see cref="RangedGetRequest.IfMatch"/> does not hold (HTTP 412), <see cref="RangeNotSatisfiableException"/> when the
    /// range starts past the end (HTTP 416), <see cref="BlobNotFoundException"/> when there is no blob.
    /// </summary>
    Task<BlobDownload> GetAsync(RangedGetRequest request, CancellationToken cancellationToken);

    /// <summary>The store's short name (<c>musiclocker.store</c>: <c>s3</c>, <c>azure</c>, …) under which a restarted read is counted in <c>musiclocker.storage.retries</c>.</summary>
    string StoreName => "unknown";
}
