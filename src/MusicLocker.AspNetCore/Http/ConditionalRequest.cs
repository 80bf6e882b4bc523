using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace MusicLocker.AspNetCore.Http;

/// <summary>
/// RFC 9110 §13.2.2's preconditions for GET/HEAD, in its order: <c>If-Match</c> (or, without it, <c>If-Unmodified-Since</c>)
/// that fails makes the answer a 412; then <c>If-None-Match</c> (or, without it, <c>If-Modified-Since</c>) that matches makes
/// it a 304. <c>If-Range</c> comes after both (<see cref="MusicLocker.Streaming.HttpRangeRequest"/>).
/// </summary>
internal static class ConditionalRequest
{
    /// <summary>
    /// Answers the request here when its preconditions decide it: 412 (no body, <c>Cache-Control: no-store</c>: an error
    /// about this request, not a representation to reuse) or 304. The caller has set the answer's validators already.
    /// </summary>
    /// <returns>The status written (412 or 304), or 0 when the request goes on to the body (and ranges).</returns>
    public static int TryAnswer(HttpContext context, string quotedETag, DateTimeOffset? lastModified)
    {
        var response = context.Response;
        if (PreconditionFailed(context.Request.Headers, quotedETag, lastModified))
        {
            response.StatusCode = StatusCodes.Status412PreconditionFailed;
            response.ContentLength = 0;
            response.Headers.CacheControl = "no-store";
            return StatusCodes.Status412PreconditionFailed;
        }

        if (NotModified(context.Request.Headers, quotedETag, lastModified))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return StatusCodes.Status304NotModified;
        }

        return 0;
    }

    /// <summary>§13.1.1, §13.1.4: whether <c>If-Match</c> names no current entity tag (strong comparison; <c>*</c> matches any),
    /// or, without <c>If-Match</c>, the representation was modified after <c>If-Unmodified-Since</c>.</summary>
    /// <param name="headers">The request's headers.</param>
    /// <param name="quotedETag">The answer's ETag, quoted.</param>
    /// <param name="lastModified">The answer's Last-Modified; <see langword="null"/> when it sends none (<c>If-Unmodified-Since</c> is then ignored).</param>
    private static bool PreconditionFailed(IHeaderDictionary headers, string quotedETag, DateTimeOffset? lastModified)
    {
        var ifMatch = headers.IfMatch;
        if (!StringValues.IsNullOrEmpty(ifMatch))
        {
            return !AnyMatches(ifMatch, quotedETag, weak: false);
        }

        string? since = headers.IfUnmodifiedSince;
        return since is not null && lastModified is not null && Streaming.HttpDate.TryParse(since, out var date)
            && lastModified.Value.ToUnixTimeSeconds() > date.ToUnixTimeSeconds(); // an unparsable date is ignored (§13.1.4)
    }

    /// <param name="headers">The request's headers.</param>
    /// <param name="quotedETag">The answer's ETag, quoted.</param>
    /// <param name="lastModified">The answer's Last-Modified; <see langword="null"/> when it sends none (<c>If-Modified-Since</c> is then ignored).</param>
    private static bool NotModified(IHeaderDictionary headers, string quotedETag, DateTimeOffset? lastModified)
    {
        var ifNoneMatch = headers.IfNoneMatch;
        if (!StringValues.IsNullOrEmpty(ifNoneMatch))
        {
            return AnyMatches(ifNoneMatch, quotedETag, weak: true); // If-Modified-Since is ignored when If-None-Match is present (§13.1.3)
        }

        string? since = headers.IfModifiedSince;
        return since is not null && lastModified is not null
            && Streaming.HttpDate.TryParse(since, out var date)
            && lastModified.Value.ToUnixTimeSeconds() <= date.ToUnixTimeSeconds();
    }

    /// <summary>Weak or strong comparison (§8.8.3.2) of each entity tag of each header line with ours; <c>*</c> matches.
    /// Strong: a weak tag (<c>W/</c>) never matches.</summary>
    private static bool AnyMatches(StringValues lines, string quotedETag, bool weak)
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
                    if (!weak)
                    {
                        continue;
                    }

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
