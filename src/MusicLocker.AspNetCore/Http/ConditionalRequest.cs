using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace MusicLocker.AspNetCore.Http;

/// <summary>RFC 9110 §13.1.2–§13.1.3 for GET/HEAD: whether <c>If-None-Match</c> (or, without it, <c>If-Modified-Since</c>) makes the answer a 304.</summary>
internal static class ConditionalRequest
{
    /// <param name="headers">The request's headers.</param>
    /// <param name="quotedETag">The answer's ETag, quoted.</param>
    /// <param name="lastModified">The answer's Last-Modified; <see langword="null"/> when it sends none (<c>If-Modified-Since</c> is then ignored).</param>
    public static bool NotModified(IHeaderDictionary headers, string quotedETag, DateTimeOffset? lastModified)
    {
        var ifNoneMatch = headers.IfNoneMatch;
        if (!StringValues.IsNullOrEmpty(ifNoneMatch))
        {
            return AnyMatches(ifNoneMatch, quotedETag); // If-Modified-Since is ignored when If-None-Match is present (§13.1.3)
        }

        string? since = headers.IfModifiedSince;
        return since is not null && lastModified is not null
            && DateTimeOffset.TryParseExact(since.Trim(), "r", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var date)
            && lastModified.Value.ToUnixTimeSeconds() <= date.ToUnixTimeSeconds();
    }

    /// <summary>Weak comparison (§8.8.3.2) of each entity tag of each header line with ours; <c>*</c> matches.</summary>
    private static bool AnyMatches(StringValues lines, string quotedETag)
    {
        foreach (string? line in lines)
        {
            var rest = (line ?? string.Empty).AsSpan();
            while (!rest.IsEmpty)
            {
                int comma = rest.IndexOf(',');
                var tag = (comma < 0 ? rest : rest[..comma]).Trim(" \t");
                rest = comma < 0 ? [] : rest[(comma + 1)..];
                if (tag.SequenceEqual("*"))
                {
                    return true;
                }

                if (tag.StartsWith("W/", StringComparison.Ordinal))
                {
                    tag = tag[2..];
                }

                if (tag.SequenceEqual(quotedETag))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
