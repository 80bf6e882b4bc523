namespace MusicLocker.Storage.Providers;

/// <summary>
/// <see cref="IBlobStore.OpenReadAsync"/> for HTTP object stores. Suffix ranges (<c>bytes=-N</c>, which s3rver and Azurite
/// get wrong) are resolved to absolute ranges from a HEAD first and pinned to the HEAD's version with If-Match; if the
/// blob changes in between, the read starts over (a few times) instead of returning the tail of another version.
/// </summary>
public static class RangedRead
{
    /// <summary>How many times a suffix read starts over when the blob keeps changing between its HEAD and its GET.</summary>
    public const int MaxRestarts = 3;

    /// <summary>Opens a read of <paramref name="key"/> with the caller's <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentException">The key is default, or <see cref="ReadBlobOptions.IfMatch"/> is a default ETag.</exception>
    /// <exception cref="BlobConditionFailedException">The blob is not at <see cref="ReadBlobOptions.IfMatch"/>, or it kept changing during a suffix read.</exception>
    /// <exception cref="RangeNotSatisfiableException">The range starts at or past the end of the blob (or is a suffix of an empty blob).</exception>
    public static Task<BlobDownload> OpenAsync(BlobKey key, ReadBlobOptions? options, IRangedReadTarget target, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Key(key);
        ArgumentNullException.ThrowIfNull(target);
        if (options?.IfMatch is { IsDefault: true })
        {
            throw new ArgumentException("IfMatch must not be default(ETag).", nameof(options));
        }

        return OpenCoreAsync(key, options?.Range ?? ByteRange.All, options?.IfMatch, target, cancellationToken);
    }

    private static async Task<BlobDownload> OpenCoreAsync(BlobKey key, ByteRange requested, ETag? ifMatch, IRangedReadTarget target, CancellationToken cancellationToken)
    {
        if (!requested.IsSuffix)
        {
            return await target.GetAsync(new RangedGetRequest(key, requested, requested, ifMatch), cancellationToken).ConfigureAwait(false);
        }

        for (int attempt = 0; ; attempt++)
        {
            var properties = await target.GetPropertiesAsync(key, cancellationToken).ConfigureAwait(false);
            if (ifMatch is { } expected && expected != properties.ETag)
            {
                throw ProviderErrors.VersionChanged(key, expected, properties.ETag);
            }

            if (!requested.TryResolve(properties.Length, out long offset, out long length))
            {
                throw new RangeNotSatisfiableException(key.Value, requested, properties.Length);
            }

            try
            {
                return await target.GetAsync(new RangedGetRequest(key, requested, new ByteRange(offset, length), properties.ETag), cancellationToken).ConfigureAwait(false);
            }
            catch (BlobConditionFailedException ex) when (ifMatch is null)
            {
                // The blob changed since the HEAD (the pin is ours, not the caller's): resolve the suffix again.
                if (attempt >= MaxRestarts)
                {
                    throw new BlobConditionFailedException(key.Value, $"The blob '{key}' changed while its range {requested} was being resolved; read it again.", ex);
                }

                StorageInstrumentation.RecordRetry(target.StoreName, "read");
            }
        }
    }
}
