using System.Text;

namespace MusicLocker.Storage.FileSystem;

/// <summary>
/// Maps keys to paths: every segment but the last is a folder named <c>segment.d</c>, the last a file named
/// <c>segment.blob</c>, so <c>a</c> and <c>a/b</c> can both exist and temp files (<c>*.tmp</c>) never collide with a blob.
/// Characters Windows refuses in names, and <c>%</c>, are written as <c>%XX</c>.
/// </summary>
internal static class FileSystemPaths
{
    public const string BlobSuffix = ".blob";
    public const string FolderSuffix = ".d";
    public const string TempSuffix = ".tmp";

    /// <summary>Characters no <see cref="BlobKey"/> holds: the backslash and the control characters.</summary>
    private static readonly System.Buffers.SearchValues<char> NoKeyChars = System.Buffers.SearchValues.Create(
        "\\" + string.Concat(Enumerable.Range(0, 0x20).Concat(Enumerable.Range(0x7F, 0x21)).Select(c => (char)c)));

    private static readonly System.Buffers.SearchValues<char> Escaped = System.Buffers.SearchValues.Create("%:*?\"<>|");

    /// <summary>The longest file name (in UTF-8 bytes) Linux and most file systems take.</summary>
    private const int MaxNameBytes = 255;

    /// <summary>A temp file's name: 24 hex digits and <see cref="TempSuffix"/>.</summary>
    public const int TempNameLength = 24 + 4;

    /// <summary>
    /// The longest path (in UTF-8 bytes) the operating system opens: <c>PATH_MAX</c> less its terminating NUL on Linux
    /// (4096) and macOS (1024); .NET lifts Windows' limit to about 32,767 characters.
    /// </summary>
    private static readonly int MaxPathBytes = OperatingSystem.IsWindows() ? 32_000 : OperatingSystem.IsMacOS() ? 1023 : 4095;

    public static string BlobPath(string blobsRoot, BlobKey key)
    {
        var value = key.Value;
        var builder = new StringBuilder(blobsRoot.Length + value.Length + 16).Append(blobsRoot);
        int start = 0;
        while (true)
        {
            int slash = value.IndexOf('/', start);
            bool last = slash < 0;
            var segment = value.AsSpan(start, (last ? value.Length : slash) - start);
            string name = Encode(segment) + (last ? BlobSuffix : FolderSuffix);
            if (Encoding.UTF8.GetByteCount(name) > MaxNameBytes)
            {
                ThrowHelper.ThrowInvalidKey(value, BlobKeyRule.SegmentTooLong, $"the file-system store holds key segments of at most {MaxNameBytes - BlobSuffix.Length} UTF-8 bytes, and segment '{segment}' is longer");
            }

            if (last)
            {
                // The blob's temp file sits beside it, so the longer of the two names must fit too.
                int longest = Encoding.UTF8.GetByteCount(builder.ToString()) + 1 + Math.Max(Encoding.UTF8.GetByteCount(name), TempNameLength);
                if (longest > MaxPathBytes)
                {
                    ThrowHelper.ThrowInvalidKey(value, BlobKeyRule.PathTooLong, $"the file-system store holds paths of at most {MaxPathBytes} UTF-8 bytes, and this key's file under '{blobsRoot}' would need {longest}");
                }

                return builder.Append(Path.DirectorySeparatorChar).Append(name).ToString();
            }

            builder.Append(Path.DirectorySeparatorChar).Append(name);

            start = slash + 1;
        }
    }

    /// <summary>
    /// The folder for a key prefix of whole segments (<c>a/b</c>), or <see langword="null"/> when no key can have it;
    /// a prefix whose folder this store could never create (a segment or a path too long) is refused as an invalid key
    /// before the disk is touched.
    /// </summary>
    public static string? FolderPath(string blobsRoot, string segments)
    {
        var builder = new StringBuilder(blobsRoot);
        foreach (var segment in segments.Split('/'))
        {
            // What no key segment can hold names no folder (and a NUL would make the path itself an ArgumentException).
            if (segment.Length == 0 || segment is "." or ".." || segment.AsSpan().IndexOfAny(NoKeyChars) >= 0)
            {
                return null;
            }

            string name = Encode(segment) + FolderSuffix;
            if (Encoding.UTF8.GetByteCount(name) > MaxNameBytes)
            {
                ThrowHelper.ThrowInvalidKey(segments, BlobKeyRule.SegmentTooLong, $"the file-system store holds key segments of at most {MaxNameBytes - BlobSuffix.Length} UTF-8 bytes, and this prefix's segment '{segment}' is longer, so no key can start with it");
            }

            builder.Append(Path.DirectorySeparatorChar).Append(name);
        }

        string path = builder.ToString();
        if (Encoding.UTF8.GetByteCount(path) > MaxPathBytes)
        {
            ThrowHelper.ThrowInvalidKey(segments, BlobKeyRule.PathTooLong, $"the file-system store holds paths of at most {MaxPathBytes} UTF-8 bytes, and this prefix's folder under '{blobsRoot}' is longer, so no key can start with it");
        }

        return path;
    }

    public static string Encode(ReadOnlySpan<char> segment)
    {
        if (segment.IndexOfAny(Escaped) < 0)
        {
            return segment.ToString();
        }

        var builder = new StringBuilder(segment.Length + 8);
        foreach (char c in segment)
        {
            if (c is '%' or ':' or '*' or '?' or '"' or '<' or '>' or '|')
            {
                builder.Append('%').Append(((int)c).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    public static string Decode(ReadOnlySpan<char> name)
    {
        if (name.IndexOf('%') < 0)
        {
            return name.ToString();
        }

        var builder = new StringBuilder(name.Length);
        for (int i = 0; i < name.Length; i++)
        {
            if (name[i] == '%' && i + 2 < name.Length && int.TryParse(name.Slice(i + 1, 2), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out int code))
            {
                builder.Append((char)code);
                i += 2;
            }
            else
            {
                builder.Append(name[i]);
            }
        }

        return builder.ToString();
    }
}
