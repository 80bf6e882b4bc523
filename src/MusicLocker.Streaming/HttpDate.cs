using System.Globalization;

namespace MusicLocker.Streaming;

/// <summary>
/// HTTP-date (RFC 9110 §5.6.7) as a recipient must read it: the preferred IMF-fixdate
/// (<c>Sun, 06 Nov 1994 08:49:37 GMT</c>) and the two obsolete forms, RFC 850 (<c>Sunday, 06-Nov-94 08:49:37 GMT</c>) and
/// ANSI C asctime (<c>Sun Nov  6 08:49:37 1994</c>), all in UTC.
/// </summary>
public static class HttpDate
{
    private static readonly string[] Formats =
    [
        "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'", // IMF-fixdate
        "dddd, dd'-'MMM'-'yy HH':'mm':'ss 'GMT'", // rfc850-date
        "ddd MMM d HH':'mm':'ss yyyy", // asctime-date (its day is padded with a space, taken as inner white space)
    ];

    /// <summary>Parses an HTTP-date in any of the three forms; <see langword="false"/> for anything else (never throws).</summary>
    /// <remarks>An RFC 850 two-digit year is read as the invariant calendar does (00–49: 20xx, 50–99: 19xx).</remarks>
    public static bool TryParse(ReadOnlySpan<char> value, out DateTimeOffset date) =>
        DateTimeOffset.TryParseExact(value.Trim(" \t"), Formats, CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowInnerWhite, out date);
}
