using System.Globalization;
using MusicLocker.Media.Tags.Id3v1;

namespace MusicLocker.Media.Tags;

/// <summary>The normalised fields one tag gave.</summary>
internal sealed class TagValues
{
    public string? Title, Artist, AlbumArtist, Album, Genre, Comment;
    public int? TrackNumber, TrackCount, DiscNumber, DiscCount, Year;
    public bool? Compilation;
    public bool CommentDescribed;
}

/// <summary>Collects fields and pictures from every tag of a file and merges them into one <see cref="AudioTags"/>.</summary>
internal sealed class TagCollector
{
    private const int MaxRawFields = 4096;

    /// <summary>Real files carry a handful; a tag of thousands of tiny picture frames would otherwise cost an object each.</summary>
    private const int MaxPictures = 64;
    private readonly List<TagField> _raw = [];
    private readonly List<TagFormat> _formats = [];
    private readonly List<(int Priority, TagValues Values)> _values = [];

    private readonly List<CoverArtInfo> _pictures = [];
    private bool _picturesDropped;

    public IReadOnlyList<CoverArtInfo> Pictures => _pictures;

    /// <summary>Records a picture; past <see cref="MaxPictures"/> the rest are skipped with one warning.</summary>
    public void AddPicture(CoverArtInfo picture)
    {
        if (_pictures.Count < MaxPictures)
        {
            _pictures.Add(picture);
        }
        else if (!_picturesDropped)
        {
            _picturesDropped = true;
            Warn(picture.Offset, $"The file holds more than {MaxPictures} pictures: the rest are not listed");
        }
    }

    public List<MediaWarning> Warnings { get; } = [];

    /// <summary>Starts the values of a new tag. Lower priority numbers win.</summary>
    public TagValues Begin(TagFormat format)
    {
        int priority = format switch { TagFormat.Id3v1 => 2, TagFormat.Ape => 1, _ => 0 };
        var values = new TagValues();
        _values.Add((priority, values));
        _formats.Add(format);
        return values;
    }

    public void Raw(TagFormat format, string key, string value)
    {
        if (_raw.Count < MaxRawFields)
        {
            _raw.Add(new TagField(format, key, value));
        }
    }

    public void Warn(long offset, string message)
    {
        if (Warnings.Count < 64)
        {
            Warnings.Add(new MediaWarning(offset, message));
        }
    }

    public AudioTags Build()
    {
        if (_formats.Count == 0)
        {
            return AudioTags.Empty;
        }

        // Stable order by priority: ID3v2/ilst first, then APE, then ID3v1; within a priority, first read wins.
        var ordered = new List<(int Priority, TagValues Values)>(_values);
        ordered.Sort((a, b) => a.Priority.CompareTo(b.Priority));
        T? Pick<T>(Func<TagValues, T?> get)
            where T : class
        {
            foreach (var (_, v) in ordered)
            {
                if (get(v) is { } x)
                {
                    return x;
                }
            }

            return null;
        }

        TV? PickV<TV>(Func<TagValues, TV?> get)
            where TV : struct
        {
            foreach (var (_, v) in ordered)
            {
                if (get(v) is { } x)
                {
                    return x;
                }
            }

            return null;
        }

        return new AudioTags
        {
            Title = Pick(v => v.Title),
            Artist = Pick(v => v.Artist),
            AlbumArtist = Pick(v => v.AlbumArtist),
            Album = Pick(v => v.Album),
            Genre = Pick(v => v.Genre),
            Comment = Pick(v => v.Comment),
            TrackNumber = PickV(v => v.TrackNumber),
            TrackCount = PickV(v => v.TrackCount),
            DiscNumber = PickV(v => v.DiscNumber),
            DiscCount = PickV(v => v.DiscCount),
            Year = PickV(v => v.Year),
            Compilation = PickV(v => v.Compilation),
            Formats = [.. _formats],
            RawFields = [.. _raw],
        };
    }

    /// <summary>Text as a tag value: trimmed of spaces and NULs; <see langword="null"/> when nothing is left.</summary>
    public static string? Clean(string? s)
    {
        if (s is null)
        {
            return null;
        }

        s = s.Trim().Trim('\0').Trim();
        return s.Length == 0 ? null : s;
    }

    /// <summary>Parses <c>n</c>, <c>n/m</c> (track or disc numbers).</summary>
    public static void ParsePair(string? s, out int? number, out int? count)
    {
        number = count = null;
        if (Clean(s) is not { } t)
        {
            return;
        }

        int slash = t.IndexOf('/', StringComparison.Ordinal);
        var first = slash < 0 ? t.AsSpan() : t.AsSpan(0, slash);
        if (int.TryParse(first.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0)
        {
            number = n;
        }

        if (slash >= 0 && int.TryParse(t.AsSpan(slash + 1).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int m) && m > 0)
        {
            count = m;
        }
    }

    /// <summary>The year of <c>2004</c>, <c>2004-05-06</c>, <c>2004-05-06T10:00</c>.</summary>
    public static int? ParseYear(string? s)
    {
        if (Clean(s) is not { } t || t.Length < 4)
        {
            return null;
        }

        return int.TryParse(t.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out int y) && y > 0 ? y : null;
    }

    public static bool? ParseBool(string? s) => Clean(s) switch
    {
        null => null,
        "1" or "true" or "True" or "TRUE" or "yes" => true,
        "0" or "false" or "False" or "FALSE" or "no" => false,
        _ => null,
    };

    public static string? Genre(string? s) => Clean(s) is { } t ? Clean(Id3Genres.Resolve(t)) : null;

    /// <summary>Sniffs a picture's MIME type from its first bytes.</summary>
    public static string SniffMime(ReadOnlySpan<byte> head) =>
        head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]) ? "image/jpeg"
        : head.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G']) ? "image/png"
        : head.StartsWith("GIF8"u8) ? "image/gif"
        : head.StartsWith("BM"u8) ? "image/bmp"
        : head.Length >= 12 && head.StartsWith("RIFF"u8) && head.Slice(8, 4).SequenceEqual("WEBP"u8) ? "image/webp"
        : "application/octet-stream";

    /// <summary>Normalises a MIME type from a tag (<c>JPG</c>, <c>jpeg</c>, <c>image/jpg</c> → <c>image/jpeg</c>).</summary>
    public static string? NormaliseMime(string? mime)
    {
        if (Clean(mime) is not { } m)
        {
            return null;
        }

        m = m.ToLowerInvariant();
        return m switch
        {
            "jpg" or "jpeg" or "image/jpg" => "image/jpeg",
            "png" => "image/png",
            "-->" => null,
            _ => m.Contains('/', StringComparison.Ordinal) ? m : "image/" + m,
        };
    }
}
