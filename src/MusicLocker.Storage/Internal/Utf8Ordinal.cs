namespace MusicLocker.Storage;

/// <summary>
/// Orders strings by their UTF-8 bytes (the order S3 and Azure list keys in). UTF-16 ordinal order differs only where a
/// surrogate pair meets a code point in U+E000–U+FFFF, so the comparison fixes up that one case instead of encoding.
/// </summary>
internal static class Utf8Ordinal
{
    public static readonly IComparer<string> Comparer = Comparer<string>.Create(static (a, b) => Compare(a, b));

    public static int Compare(string? a, string? b)
    {
        if (ReferenceEquals(a, b))
        {
            return 0;
        }

        if (a is null)
        {
            return -1;
        }

        if (b is null)
        {
            return 1;
        }

        int n = Math.Min(a.Length, b.Length);
        for (int i = 0; i < n; i++)
        {
            char x = a[i], y = b[i];
            if (x == y)
            {
                continue;
            }

            // Surrogates (U+D800–U+DFFF) encode code points above U+FFFF, which sort after U+E000–U+FFFF in UTF-8.
            bool xs = char.IsSurrogate(x), ys = char.IsSurrogate(y);
            if (xs != ys && (x >= '\uE000' || y >= '\uE000'))
            {
                return xs ? 1 : -1;
            }

            return x < y ? -1 : 1;
        }

        return a.Length.CompareTo(b.Length);
    }
}
