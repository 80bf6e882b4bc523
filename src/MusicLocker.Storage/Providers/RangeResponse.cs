using System.Globalization;

namespace MusicLocker.Storage.Providers;

/// <summary>
/// Checks what a server sent for a GET against what was asked, so a server that ignores <c>If-Match</c>, or ignores or
/// stretches a range, never hands the caller other bytes; and wraps the body so the caller gets exactly those bytes.
/// </summary>
public static class RangeResponse
{
    /// <summary>Checks a response and returns the bytes of its body to pass on.</summary>
    /// <param name="request">What was sent.</param>
    /// <param name="eTag">The response's ETag.</param>
    /// <param name="contentRange">The response's <c>Content-Range</c> header, if any.</param>
    /// <param name="contentLength">The length of the body sent.</param>
    /// <exception cref="BlobConditionFailedException">The response comes from another version than <see cref="RangedGetRequest.IfMatch"/> (the server ignored the header).</exception>
    /// <exception cref="RangeNotSatisfiableException">The range starts at or past the end of the blob.</exception>
    /// <exception cref="BlobStoreException"><see cref="BlobErrorCode.Unknown"/>: the body starts elsewhere or is shorter than the range (the server ignored it).</exception>
    public static ServedRange Resolve(RangedGetRequest request, ETag eTag, string? contentRange, long contentLength)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegative(contentLength);
        var key = request.Key;
        if (request.IfMatch is { } expected && expected != eTag)
        {
            throw ProviderErrors.VersionChanged(key, expected, eTag);
        }

        long total = contentLength;
        long? served = 0;
        if (contentRange is not null)
        {
            // The length after the slash counts even when the range before it is off ("bytes */1000" answering an
            // unsatisfiable range with a 2xx; s3rver's "bytes 0-0/0" for an empty blob): satisfiability is judged first.
            if (!TryParseBlobLength(contentRange, out total))
            {
                throw new BlobStoreException(BlobErrorCode.Unknown, $"The server answered a read of blob '{key}' with the Content-Range '{contentRange}', which is not a byte range.", key.Value);
            }

            served = TryParseContentRange(contentRange, out long first, out _) ? first : null;
        }

        if (request.Range.IsAll)
        {
            // A whole read must bring the whole blob: a body shorter than the length the server states is cut short.
            return served == 0 && total == contentLength
                ? new ServedRange(0, contentLength, contentLength)
                : throw new BlobStoreException(BlobErrorCode.Unknown, $"The server answered a read of all of blob '{key}' ({total} bytes) with {contentLength} bytes (Content-Range '{contentRange}').", key.Value);
        }

        if (!request.Range.TryResolve(total, out long offset, out long length))
        {
            throw new RangeNotSatisfiableException(key.Value, request.Requested, total);
        }

        // Some servers send more than asked (s3rver answers bytes=0-0 with the whole blob): only the asked bytes are
        // passed on. Fewer bytes, or bytes from elsewhere, cannot be repaired.
        if (served != offset || contentLength < length)
        {
            throw new BlobStoreException(BlobErrorCode.Unknown, $"The server answered the range {request.Requested} of blob '{key}' ({total} bytes) with {contentLength} bytes (Content-Range '{contentRange ?? "none"}').", key.Value);
        }

        return new ServedRange(offset, length, total);
    }

    /// <summary>
    /// The download of <paramref name="served"/>: a forward-only stream of exactly <see cref="ServedRange.Length"/> bytes
    /// of <paramref name="body"/> (more bytes are not read). Its bytes are counted in <c>musiclocker.storage.bytes_read</c>
    /// under <paramref name="store"/> as the caller reads them (a download closed early counts only what was read). A body
    /// that ends early or fails with a network error throws <see cref="BlobStoreException"/> with
    /// <see cref="BlobErrorCode.Unavailable"/> (transient) and the blob's key. Disposing it disposes <paramref name="body"/>
    /// and <paramref name="response"/>.
    /// </summary>
    /// <param name="body">The response body, positioned at the first byte of <paramref name="served"/>.</param>
    /// <param name="response">The response that owns the connection.</param>
    /// <param name="properties">The blob's properties as the response states them.</param>
    /// <param name="served">The bytes to pass on, from <see cref="Resolve"/>.</param>
    /// <param name="store">The store's short name (<c>musiclocker.store</c>: <c>s3</c>, <c>azure</c>, …).</param>
    public static BlobDownload CreateDownload(Stream body, IDisposable response, BlobProperties properties, ServedRange served, string store)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(properties);
        ArgumentException.ThrowIfNullOrEmpty(store);
        ArgumentOutOfRangeException.ThrowIfNegative(served.Length, nameof(served));
        var content = new ResponseBodyWindow(body, response, properties.Key, served.Offset, served.Length, store);
        return new BlobDownload(content, properties, served.Offset, served.Length);
    }

    /// <summary>Parses a <c>Content-Range</c> value <c>bytes first-last/length</c> (not <c>*</c> for either).</summary>
    public static bool TryParseContentRange(string? value, out long first, out long blobLength)
    {
        first = blobLength = 0;
        if (string.IsNullOrEmpty(value) || !value.StartsWith("bytes ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var span = value.AsSpan(6);
        int dash = span.IndexOf('-');
        int slash = span.IndexOf('/');
        return dash > 0 && slash > dash
            && long.TryParse(span[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out first)
            && long.TryParse(span[(dash + 1)..slash], NumberStyles.None, CultureInfo.InvariantCulture, out long last)
            && long.TryParse(span[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out blobLength)
            && last >= first && last < blobLength;
    }

    /// <summary>Parses the blob length of a <c>Content-Range</c> value: the number after the slash of <c>bytes …/length</c>.</summary>
    private static bool TryParseBlobLength(string value, out long blobLength)
    {
        blobLength = 0;
        int slash = value.IndexOf('/', StringComparison.Ordinal);
        return value.StartsWith("bytes ", StringComparison.OrdinalIgnoreCase) && slash > 6
            && long.TryParse(value.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out blobLength);
    }
}
