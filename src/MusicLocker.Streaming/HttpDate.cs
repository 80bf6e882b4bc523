using System.Globalization;

namespace MusicLocker.Streaming;

/// <summary>
/// HTTP-date (RFC 9110 §5.6.7) as a recipient must read it: the preferred IMF-fixdate
/// (<c>Sun, 06 Nov 1994 08:49:37 GMT</c>) and the two obsolete forms, RFC 850 (<c>Sunday, 06-Nov-94 08:49:37 GMT</c>) and
/// ANSI C asctime (<c>Sun Nov  6 08:49:37 1994</c>), all in UTC.
/// </summary>
public static class HttpDate
{
    // What follows the day name: it is not checked (a wrong one does not void a date the rest of which is well formed).
    private static readonly string[] Formats =
    [
        "dd MMM yyyy HH':'mm':'ss 'GMT'", // IMF-fixdate
        "dd'-'MMM'-'yy HH':'mm':'ss 'GMT'", // rfc850-date
        "MMM d HH':'mm':'ss yyyy", // asctime-date (its day is padded with a space, taken as inner white space)
    ];

    // RFC 850's two-digit year: the year with those digits at most 50 years after this one (§5.6.7: one "more than 50 years
    // in the future" is the most recent past year with the same last two digits).
    private static readonly DateTimeFormatInfo Format = CreateFormat(TimeProvider.System.GetUtcNow().Year);

    /// <summary>Parses an HTTP-date in any of the three forms; <see langword="false"/> for anything else (never throws).</summary>
    public static bool TryParse(ReadOnlySpan<char> value, out DateTimeOffset date)
    {
        date = default;
        var text = value.Trim(" \t");
        int comma = text.IndexOf(',');
        int space = text.IndexOf(' ');
        int dayName = comma > 0 && (space < 0 || comma < space) ? comma : space; // "Sun," / "Sunday," / "Sun " (asctime)
        if (dayName < 3 || !IsLetters(text[..dayName]))
        {
            return false;
        }

        return DateTimeOffset.TryParseExact(text[(dayName + 1)..].TrimStart(' '), Formats, Format,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowInnerWhite, out date);
    }

    internal static DateTimeFormatInfo CreateFormat(int year)
    {
        var format = (DateTimeFormatInfo)CultureInfo.InvariantCulture.DateTimeFormat.Clone();
        format.Calendar.TwoDigitYearMax = Math.Min(year + 50, 9999);
        return format;
    }

    private static bool IsLetters(ReadOnlySpan<char> s)
    {
        foreach (char c in s)
        {
            if (!char.IsAsciiLetter(c))
            {
                return false;
            }
        }

        return true;
    }
}
