using System.Buffers;
using System.Text;

namespace MusicLocker.Internal.Export;

/// <summary>
/// File names for an export, made from tags a hostile file may have chosen: every name is one path segment (no
/// separator, no <c>..</c>, no leading dot), holds no control character or character Windows refuses, is not a Windows
/// device name, is at most <see cref="MaxStemLength"/> characters, and is unique in its folder ignoring case.
/// </summary>
internal sealed class ExportNames
{
    public const int MaxStemLength = 100;

    private static readonly SearchValues<char> Refused = SearchValues.Create("<>:\"/\\|?*");

    private static readonly HashSet<string> DeviceNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
        "COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9", "COM¹", "COM²", "COM³",
        "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9", "LPT¹", "LPT²", "LPT³",
    };

    private readonly HashSet<string> _used = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A name in this folder not used before: <paramref name="stem"/> made safe, then <c> (2)</c>, <c> (3)</c>… on a clash.</summary>
    public string Claim(string? stem, string fallback, string extension)
    {
        string safe = Sanitize(stem, fallback);
        string name = safe + extension;
        for (int n = 2; !_used.Add(name); n++)
        {
            name = safe + " (" + n.ToString(System.Globalization.CultureInfo.InvariantCulture) + ")" + extension;
        }

        return name;
    }

    private static string TrimDotsAndSpaces(string text)
    {
        int start = 0, end = text.Length;
        while (start < end && (text[start] == '.' || char.IsWhiteSpace(text[start])))
        {
            start++;
        }

        while (end > start && (text[end - 1] == '.' || char.IsWhiteSpace(text[end - 1])))
        {
            end--;
        }

        return text[start..end];
    }

    /// <summary>One safe path segment (without extension) from untrusted text.</summary>
    public static string Sanitize(string? text, string fallback)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        var builder = new StringBuilder(Math.Min(text.Length, MaxStemLength + 1));
        for (int i = 0; i < text.Length && builder.Length < MaxStemLength; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                if (builder.Length + 2 > MaxStemLength)
                {
                    break; // never split a pair
                }

                builder.Append(c).Append(text[++i]);
            }
            else
            {
                builder.Append(char.IsControl(c) || char.IsSurrogate(c) || Refused.Contains(c) ? '_' : c);
            }
        }

        // Leading dots would hide the file or make "..", trailing dots and spaces vanish on Windows.
        string name = TrimDotsAndSpaces(builder.ToString());
        if (name.Length == 0)
        {
            return fallback;
        }

        int dot = name.IndexOf('.', StringComparison.Ordinal);
        string device = (dot < 0 ? name : name[..dot]).TrimEnd();
        return DeviceNames.Contains(device) ? "_" + name : name;
    }
}
