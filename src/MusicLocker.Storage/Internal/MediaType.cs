namespace MusicLocker.Storage;

/// <summary>
/// The media type grammar of RFC 9110 §8.3.1 (<c>type "/" subtype *( OWS ";" OWS [ parameter ] )</c>, parameters
/// <c>token "=" ( token / quoted-string )</c>), narrowed to what every provider round-trips unchanged: ASCII only
/// (no <c>obs-text</c>), spaces but no tabs, nothing before the type or after the last character.
/// </summary>
internal static class MediaType
{
    private static readonly System.Buffers.SearchValues<char> TokenChars =
        System.Buffers.SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    public static bool IsValid(string value)
    {
        var s = value.AsSpan();
        int i = 0;
        if (!Token(s, ref i) || !Expect(s, ref i, '/') || !Token(s, ref i))
        {
            return false;
        }

        while (i < s.Length)
        {
            SkipSpaces(s, ref i);
            if (!Expect(s, ref i, ';'))
            {
                return false;
            }

            SkipSpaces(s, ref i);
            if (i == s.Length || s[i] == ';')
            {
                continue; // an empty parameter is allowed
            }

            if (!Token(s, ref i) || !Expect(s, ref i, '=') || !(i < s.Length && s[i] == '"' ? QuotedString(s, ref i) : Token(s, ref i)))
            {
                return false;
            }
        }

        return s[^1] != ' ';
    }

    private static bool Token(ReadOnlySpan<char> s, ref int i)
    {
        int start = i;
        while (i < s.Length && TokenChars.Contains(s[i]))
        {
            i++;
        }

        return i > start;
    }

    private static bool QuotedString(ReadOnlySpan<char> s, ref int i)
    {
        i++; // the opening quote
        while (i < s.Length)
        {
            char c = s[i++];
            if (c == '"')
            {
                return true;
            }

            if (c == '\\')
            {
                if (i == s.Length || s[i] is < ' ' or > '~')
                {
                    return false;
                }

                i++;
            }
            else if (c is < ' ' or > '~')
            {
                return false;
            }
        }

        return false; // unterminated
    }

    private static bool Expect(ReadOnlySpan<char> s, ref int i, char c)
    {
        if (i < s.Length && s[i] == c)
        {
            i++;
            return true;
        }

        return false;
    }

    private static void SkipSpaces(ReadOnlySpan<char> s, ref int i)
    {
        while (i < s.Length && s[i] == ' ')
        {
            i++;
        }
    }
}
