using System.Globalization;
using System.Text;

namespace MusicLocker.Metadata.Sql;

/// <summary>
/// The one text folding both metadata providers use for sort keys, filters and search: case-folded, accents removed,
/// ligatures and a few letters that have no decomposition spelled out (ß → ss, æ → ae, ø → o, ł → l), punctuation turned
/// into single spaces, apostrophes dropped (so "Don't" matches "dont"). Done in .NET rather than in each database so that SQLite and PostgreSQL order and match alike,
/// whatever collation or extensions the database has.
/// </summary>
internal static class CatalogText
{
    /// <summary>Folds <paramref name="text"/> (null becomes empty).</summary>
    public static string Fold(string? text) => Fold(text, apostropheSeparates: false);

    /// <summary>
    /// The words a search should find: the folded text, plus (when it has apostrophes) the variant that splits at them,
    /// so "L'Amour" is found by "lamour", "l'amour" and "amour", and "Don't" by "dont".
    /// </summary>
    internal static string FoldForSearch(string text)
    {
        var joined = Fold(text, apostropheSeparates: false);
        var split = Fold(text, apostropheSeparates: true);
        return string.Equals(joined, split, StringComparison.Ordinal) ? joined : joined + " " + split;
    }

    private static string Fold(string? text, bool apostropheSeparates)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var decomposed = text.Normalize(NormalizationForm.FormKD);
        var builder = new StringBuilder(decomposed.Length);
        Span<char> utf16 = stackalloc char[2];
        bool pendingSpace = false;
        foreach (var rune in decomposed.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format
                || (!apostropheSeparates && IsApostrophe(rune.Value)))
            {
                continue;
            }

            if (!Rune.IsLetterOrDigit(rune))
            {
                pendingSpace = builder.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            var lower = Rune.ToLowerInvariant(rune);
            switch (lower.Value)
            {
                case 'ß': builder.Append("ss"); break;
                case 'æ': builder.Append("ae"); break;
                case 'œ': builder.Append("oe"); break;
                case 'ø': builder.Append('o'); break;
                case 'ł': builder.Append('l'); break;
                case 'đ': builder.Append('d'); break;
                case 'ð': builder.Append('d'); break;
                case 'þ': builder.Append("th"); break;
                case 'ı': builder.Append('i'); break;
                default: builder.Append(utf16[..lower.EncodeToUtf16(utf16)]); break;
            }
        }

        return builder.ToString();
    }

    private static bool IsApostrophe(int codePoint) => codePoint is '\'' or '\u2019' or '\u02BC' or '\u2018' or '`' or '\u00B4';

    /// <summary>The folded words of <paramref name="text"/>, for a search.</summary>
    public static IReadOnlyList<string> Words(string? text) => Fold(text).Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
