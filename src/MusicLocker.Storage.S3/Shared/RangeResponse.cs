using System.Globalization;

namespace MusicLocker.Storage.Providers;

/// <summary>
/// Checks what a server sent for a ranged GET against what was asked, so a server that ignores or stretches a range never
/// hands the caller other bytes. Compiled into both cloud provider assemblies.
/// </summary>
internal static class RangeResponse
{
    /// <summary>An absolute <c>Range</c> header for a resolved range.</summary>
    public static string Header(long offset, long length) =>
        string.Create(CultureInfo.InvariantCulture, $"bytes={offset}-{offset + length - 1}");

    /// <summary>
    /// Resolves <paramref name="range"/> against the blob's length from the response and returns the bytes to pass on.
    /// </summary>
    /// <param name="key">The blob.</param>
    /// <param name="range">The range asked for (<see cref="ByteRange.All"/> when the request had no range).</param>
    /// <param name="contentRange">The <c>Content-Range</c> header, if any.</param>
    /// <param name="contentLength">The length of the body sent.</param>
    /// <param name="total">The length of the whole blob.</param>
    /// <param name="offset">The offset of the first byte to pass on.</param>
    /// <param name="length">How many bytes of the body to pass on.</param>
    public static void Resolve(BlobKey key, ByteRange range, string? contentRange, long contentLength, out long total, out long offset, out long length)
    {
        if (!TryParseContentRange(contentRange, out long served, out total))
        {
            // "bytes */1000" (an unsatisfiable range answered with a 2xx) still tells the length.
            served = 0;
            total = contentRange is not null && contentRange.StartsWith("bytes */", StringComparison.OrdinalIgnoreCase)
                && long.TryParse(contentRange.AsSpan(8), NumberStyles.None, CultureInfo.InvariantCulture, out long size) ? size : contentLength;
        }

        if (range.IsAll)
        {
            offset = 0;
            length = contentLength;
            return;
        }

        if (!range.TryResolve(total, out offset, out length))
        {
            throw new RangeNotSatisfiableException(key.Value, range, total);
        }

        // Some servers send more than asked (s3rver answers bytes=0-0 with the whole blob): only the asked bytes are
        // passed on. Fewer bytes, or bytes from elsewhere, cannot be repaired.
        if (served != offset || contentLength < length)
        {
            throw new BlobStoreException(BlobErrorCode.Unknown, $"The server answered the range {range} of blob '{key}' ({total} bytes) with {contentLength} bytes from offset {served}.", key.Value);
        }
    }

    /// <summary>Parses <c>bytes first-last/size</c>.</summary>
    public static bool TryParseContentRange(string? value, out long first, out long size)
    {
        first = size = 0;
        if (string.IsNullOrEmpty(value) || !value.StartsWith("bytes ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var span = value.AsSpan(6);
        int dash = span.IndexOf('-');
        int slash = span.IndexOf('/');
        return dash > 0 && slash > dash
            && long.TryParse(span[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out first)
            && long.TryParse(span[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out size);
    }
}
