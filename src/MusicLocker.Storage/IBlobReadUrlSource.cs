namespace MusicLocker.Storage;

/// <summary>
/// A store that can hand out a URL reading one blob straight from the storage service, without credentials, for a limited
/// time (an S3 presigned GET, an Azure SAS): for direct-from-storage playback of unencrypted blobs, so a player fetches
/// the bytes (with HTTP ranges) from the service instead of through the app. The streaming layer asks
/// <c>store is IBlobReadUrlSource</c> and otherwise streams through <see cref="IBlobStore.OpenReadAsync"/>. A store that
/// transforms the bytes it stores (the encrypted store) does not implement it: such a URL would serve what is stored.
/// </summary>
public interface IBlobReadUrlSource
{
    /// <summary>
    /// A URL that reads <paramref name="key"/> (read permission only, this blob only) until <paramref name="validity"/>
    /// from now on the store's clock has passed. Anyone holding it can read the blob until then; the blob need not exist
    /// yet. Traced as the span <c>storage.read_url</c>.
    /// </summary>
    /// <param name="key">The blob.</param>
    /// <param name="validity">How long the URL works; positive and at most the store's limit (7 days for S3 and Azure).</param>
    /// <param name="cancellationToken">Cancels what signing needs (resolving credentials, fetching a delegation key).</param>
    /// <exception cref="ArgumentException"><paramref name="key"/> is <see langword="default"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="validity"/> is not positive or exceeds the store's limit.</exception>
    /// <exception cref="BlobStoreException">
    /// <see cref="BlobErrorCode.AccessDenied"/>: the store's credentials cannot sign a URL (no credentials, a SAS token, a
    /// token credential without the right to get a user delegation key).
    /// </exception>
    Task<Uri> GetReadUrlAsync(BlobKey key, TimeSpan validity, CancellationToken cancellationToken = default);
}
