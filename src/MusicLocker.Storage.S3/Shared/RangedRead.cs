namespace MusicLocker.Storage.Providers;

/// <summary>
/// <see cref="IBlobStore.OpenReadAsync"/> for HTTP object stores: suffix ranges (<c>bytes=-N</c>, which s3rver and Azurite
/// get wrong) are resolved to absolute ranges from a HEAD first and pinned to the HEAD's version with If-Match; if the
/// blob changes in between, the read starts over (a few times) instead of returning the tail of another version.
/// Compiled into both cloud provider assemblies.
/// </summary>
internal static class RangedRead
{
    /// <param name="key">The blob.</param>
    /// <param name="options">The caller's options.</param>
    /// <param name="head">Reads the blob's properties.</param>
    /// <param name="get">
    /// Sends the GET with a <c>Range</c> header (null: whole blob) and If-Match (null: none); returns null when the
    /// version no longer matches and the read should start over.
    /// </param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public static async Task<BlobDownload> OpenAsync(BlobKey key, ReadBlobOptions? options, Func<CancellationToken, Task<BlobProperties>> head, Func<string?, ETag?, CancellationToken, Task<BlobDownload?>> get, CancellationToken cancellationToken)
    {
        BlobStoreValidation.Key(key);
        if (options?.IfMatch is { IsDefault: true })
        {
            throw new ArgumentException("IfMatch must not be default(ETag).", nameof(options));
        }

        var range = options?.Range ?? ByteRange.All;
        for (int attempt = 0; ; attempt++)
        {
            ETag? expected = options?.IfMatch;
            string? rangeHeader = range.ToHttpRangeHeader();
            if (range.IsSuffix)
            {
                var properties = await head(cancellationToken).ConfigureAwait(false);
                if (expected is { } e && e != properties.ETag)
                {
                    throw ProviderValidation.ReadVersionChanged(key, e, properties.ETag);
                }

                if (!range.TryResolve(properties.Length, out long offset, out long length))
                {
                    throw new RangeNotSatisfiableException(key.Value, range, properties.Length);
                }

                rangeHeader = RangeResponse.Header(offset, length);
                expected = properties.ETag;
            }

            var download = await get(rangeHeader, expected, cancellationToken).ConfigureAwait(false);
            if (download is not null)
            {
                return download;
            }

            if (options?.IfMatch is not null || attempt >= 3)
            {
                throw new BlobConditionFailedException(key.Value, $"The blob '{key}' changed while its range {range} was being resolved; read it again.");
            }
        }
    }
}
