using System.Text;

namespace MusicLocker.Media.Tags.Id3v1;

// ID3v1 (1996) / ID3v1.1: the last 128 bytes: "TAG", title 30, artist 30, album 30, year 4, comment 30 (1.1: comment
// 28, NUL, track 1), genre 1. ISO-8859-1, padded with NULs or spaces.

/// <summary>An ID3v1/1.1 tag.</summary>
internal static class Id3v1Tag
{
    public const int Size = 128;

    public static bool IsAt(ReadOnlySpan<byte> data) => data.Length >= Size && data.StartsWith("TAG"u8) && !data.StartsWith("TAG+"u8);

    public static void Read(ReadOnlySpan<byte> data, TagCollector tags)
    {
        var values = tags.Begin(TagFormat.Id3v1);
        values.Title = Field(data, 3, 30, "title", tags);
        values.Artist = Field(data, 33, 30, "artist", tags);
        values.Album = Field(data, 63, 30, "album", tags);
        values.Year = TagCollector.ParseYear(Field(data, 93, 4, "year", tags));
        bool v11 = data[125] == 0 && data[126] != 0;
        values.Comment = Field(data, 97, v11 ? 28 : 30, "comment", tags);
        if (v11)
        {
            values.TrackNumber = data[126];
            tags.Raw(TagFormat.Id3v1, "track", data[126].ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (Id3Genres.Name(data[127]) is { } genre)
        {
            values.Genre = genre;
            tags.Raw(TagFormat.Id3v1, "genre", genre);
        }
    }

    private static string? Field(ReadOnlySpan<byte> data, int offset, int length, string key, TagCollector tags)
    {
            var f = data.Slice(offset, length);
            int nul = f.IndexOf((byte)0);
            if (nul >= 0)
            {
                f = f[..nul];
            }

            string? s = TagCollector.Clean(Encoding.Latin1.GetString(f));
            if (s is not null)
            {
                tags.Raw(TagFormat.Id3v1, key, s);
            }

            return s;

    }
}
