using System.Globalization;
using MusicLocker.Storage;

namespace MusicLocker.Streaming;

/// <summary>
/// RFC 9110 range requests as a pure function: parses <c>Range</c> (§14.2), evaluates <c>If-Range</c> (§13.1.5), and
/// decides 200/206/416 with the <c>Content-Range</c> value (§14.4, §15.3.7, §15.5.17). The HTTP layer calls it with the
/// request headers and the stored version's length, ETag and Last-Modified.
/// </summary>
/// <remarks>
/// Semantics follow ASP.NET Core's <c>RangeHelper</c> where it agrees with RFC 9110: only the <c>bytes</c> unit; a
/// syntactically invalid <c>Range</c> is ignored (200, §14.2 "MAY ignore"); <c>If-Range</c> that does not match, is
/// weak, or is not a valid validator makes the request unconditional (200). Unlike <c>RangeHelper</c>, which ignores
/// any request with several ranges, several ranges are coalesced (sorted; overlapping or adjacent ones merged,
/// §14.2 "MAY coalesce") and the first satisfiable one is served as a single-part 206; this reader never sends
/// <c>multipart/byteranges</c> (players ask one range at a time, and a single part always names what it holds in
/// <c>Content-Range</c>). A header of more than <see cref="MaxRanges"/> ranges is ignored (200) as a denial-of-service
/// shape (§14.2). Numbers too large for 64 bits saturate (a first-pos that large is past any end; a last-pos that
/// large means "to the end"). Never throws for any header text.
/// </remarks>
public static class HttpRangeRequest
{
    /// <summary>The most ranges in one <c>Range</c> header that are considered; more and the header is ignored.</summary>
    public const int MaxRanges = 100;

    /// <summary>Decides the answer to a GET of a representation of <paramref name="length"/> bytes.</summary>
    /// <param name="range">The <c>Range</c> header value (several header lines joined by commas), or <see langword="null"/>.</param>
    /// <param name="ifRange">The <c>If-Range</c> header value, or <see langword="null"/>.</param>
    /// <param name="length">The representation's length (the stored version's plaintext length).</param>
    /// <param name="eTag">The stored version's ETag (sent as the strong <c>ETag</c> header).</param>
    /// <param name="lastModified">The stored version's Last-Modified time.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative (a programmer error, never header text).</exception>
    public static RangeDecision Evaluate(string? range, string? ifRange, long length, ETag eTag, DateTimeOffset lastModified)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (string.IsNullOrEmpty(range) || !TryParse(range, out var ranges))
        {
            return RangeDecision.Full(length);
        }

        if (ifRange is not null && !IfRangeMatches(ifRange, eTag, lastModified))
        {
            return RangeDecision.Full(length);
        }

        return Decide(ranges, length);
    }

    /// <summary>
    /// Parses a <c>Range</c> value into its range specs: <c>(first, last)</c> with <c>last = -1</c> for "to the end",
    /// or <c>(-1, suffixLength)</c> for a suffix. <see langword="false"/> for anything that is not a valid <c>bytes</c>
    /// range set of at most <see cref="MaxRanges"/> specs.
    /// </summary>
    internal static bool TryParse(ReadOnlySpan<char> value, out List<(long First, long Last)> ranges)
    {
        ranges = [];
        value = TrimOws(value);
        int eq = value.IndexOf('=');
        if (eq < 0 || !TrimOws(value[..eq]).Equals("bytes", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var rest = value[(eq + 1)..];
        bool any = false;
        while (true)
        {
            int comma = rest.IndexOf(',');
            var spec = TrimOws(comma < 0 ? rest : rest[..comma]);
            if (!spec.IsEmpty)
            {
                if (ranges.Count == MaxRanges || !TryParseSpec(spec, out var r))
                {
                    return false;
                }

                ranges.Add(r);
                any = true;
            }

            if (comma < 0)
            {
                break;
            }

            rest = rest[(comma + 1)..];
        }

        return any;
    }

    private static bool TryParseSpec(ReadOnlySpan<char> spec, out (long First, long Last) range)
    {
        range = default;
        int dash = spec.IndexOf('-');
        if (dash < 0)
        {
            return false;
        }

        var first = spec[..dash];
        var last = spec[(dash + 1)..];
        if (first.IsEmpty)
        {
            // suffix-range = "-" suffix-length
            if (!TryParseDigits(last, out long suffix))
            {
                return false;
            }

            range = (-1, suffix);
            return true;
        }

        if (!TryParseDigits(first, out long f))
        {
            return false;
        }

        if (last.IsEmpty)
        {
            range = (f, -1);
            return true;
        }

        if (!TryParseDigits(last, out long l) || l < f)
        {
            return false; // §14.1.2: last-pos < first-pos is invalid
        }

        range = (f, l);
        return true;
    }

    /// <summary>1*DIGIT, saturating at <see cref="long.MaxValue"/>.</summary>
    private static bool TryParseDigits(ReadOnlySpan<char> digits, out long value)
    {
        value = 0;
        if (digits.IsEmpty)
        {
            return false;
        }

        foreach (char c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }

            int d = c - '0';
            value = value > (long.MaxValue - d) / 10 ? long.MaxValue : (value * 10) + d;
        }

        return true;
    }

    private static RangeDecision Decide(List<(long First, long Last)> specs, long length)
    {
        // Resolve each spec to [start, end] inclusive; drop the unsatisfiable ones (§14.1.1).
        var resolved = new List<(long Start, long End)>(specs.Count);
        foreach (var (first, last) in specs)
        {
            if (first < 0)
            {
                if (last == 0 || length == 0)
                {
                    continue;
                }

                long n = Math.Min(last, length);
                resolved.Add((length - n, length - 1));
            }
            else if (first < length)
            {
                resolved.Add((first, last < 0 ? length - 1 : Math.Min(last, length - 1)));
            }
        }

        if (resolved.Count == 0)
        {
            return RangeDecision.NotSatisfiable(length);
        }

        // Coalesce: sort, merge overlapping or adjacent ranges; serve the first.
        resolved.Sort(static (a, b) => a.Start.CompareTo(b.Start));
        var (start, end) = resolved[0];
        for (int i = 1; i < resolved.Count && resolved[i].Start <= end + 1; i++)
        {
            end = Math.Max(end, resolved[i].End);
        }

        return RangeDecision.Partial(start, end - start + 1, length); // a range covering everything is still a 206 (§15.3.7)
    }

    /// <summary>§13.1.5: a strong ETag equal to the current one, or an HTTP-date equal to Last-Modified (to the second).</summary>
    private static bool IfRangeMatches(string ifRange, ETag eTag, DateTimeOffset lastModified)
    {
        var value = TrimOws(ifRange.AsSpan());
        if (value.StartsWith("W/", StringComparison.Ordinal))
        {
            return false; // weak validators never match (§13.1.5)
        }

        if (value.StartsWith("\"", StringComparison.Ordinal))
        {
            if (eTag.IsDefault || value.Length < 2 || value[^1] != '"')
            {
                return false;
            }

            var stored = eTag.Value.AsSpan();
            return stored.StartsWith("\"", StringComparison.Ordinal)
                ? value.SequenceEqual(stored)
                : value[1..^1].SequenceEqual(stored);
        }

        if (!HttpDate.TryParse(value, out var date))
        {
            return false;
        }

        long stored1 = lastModified.ToUniversalTime().ToUnixTimeSeconds();
        return date.ToUnixTimeSeconds() == stored1;
    }

    private static ReadOnlySpan<char> TrimOws(ReadOnlySpan<char> s) => s.Trim(" \t");
}
