using System.Globalization;
using System.Text;

namespace MusicLocker.Library;

/// <summary>
/// The one text folding both metadata providers use for sort keys, filters and search: case-folded, accents removed,
/// ligatures and a few letters that have no decomposition spelled out (ß → ss, æ → ae, ø → o, ł → l), punctuation turned
/// into single spaces. Done in .NET rather than in each database so that SQLite and PostgreSQL order and match alike,
/// whatever collation or extensions the database has.
/// </summary>
public static class CatalogText
{
    /// <summary>Folds <paramref name="text"/> (null becomes empty).</summary>
    public static string Fold(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var decomposed = text.Normalize(NormalizationForm.FormKD);
        var builder = new StringBuilder(decomposed.Length);
        bool pendingSpace = false;
        foreach (var rune in decomposed.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format)
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
                default: builder.Append(lower.ToString()); break;
            }
        }

        return builder.ToString();
    }

    /// <summary>The folded words of <paramref name="text"/>, for a search.</summary>
    public static IReadOnlyList<string> Words(string? text) => Fold(text).Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
