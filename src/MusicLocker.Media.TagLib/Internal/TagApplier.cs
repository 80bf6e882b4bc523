using TagLib;

namespace MusicLocker.Media.TagLib.Internal;

/// <summary>Applies <see cref="TagEdits"/> to a TagLibSharp tag (ID3v2 or Apple ilst): null keeps, empty removes.</summary>
internal static class TagApplier
{
    public static void Apply(Tag tag, TagEdits e)
    {
        if (e.Title is { } title)
        {
            tag.Title = NullIfEmpty(title);
        }

        if (e.Artist is { } artist)
        {
            tag.Performers = Values(artist);
        }

        if (e.AlbumArtist is { } albumArtist)
        {
            tag.AlbumArtists = Values(albumArtist);
        }

        if (e.Album is { } album)
        {
            tag.Album = NullIfEmpty(album);
        }

        if (e.TrackNumber is { } track)
        {
            tag.Track = (uint)track;
        }

        if (e.TrackCount is { } trackCount)
        {
            tag.TrackCount = (uint)trackCount;
        }

        if (e.DiscNumber is { } disc)
        {
            tag.Disc = (uint)disc;
        }

        if (e.DiscCount is { } discCount)
        {
            tag.DiscCount = (uint)discCount;
        }

        if (e.Year is { } year)
        {
            tag.Year = (uint)year;
        }

        if (e.Genre is { } genre)
        {
            if (tag is global::TagLib.Mpeg4.AppleTag apple)
            {
                // A numeric 'gnre' left beside the new '©gen' would contradict it.
                apple.ClearData("gnre");
            }

            tag.Genres = Values(genre);
        }

        if (e.Comment is { } comment)
        {
            tag.Comment = NullIfEmpty(comment);
        }

        if (e.Compilation is { } compilation)
        {
            switch (tag)
            {
                case global::TagLib.Id3v2.Tag id3:
                    id3.IsCompilation = compilation; // TCMP "1", or the frame removed
                    break;
                case global::TagLib.Mpeg4.AppleTag apple:
                    apple.IsCompilation = compilation; // cpil
                    break;
            }
        }

        if (e.RemoveCoverArt)
        {
            tag.Pictures = [];
        }
        else if (e.CoverArt is { } cover)
        {
            tag.Pictures =
            [
                new Picture(new ByteVector(cover.Data.ToArray()))
                {
                    MimeType = cover.MimeType,
                    Type = PictureType.FrontCover,
                },
            ];
        }
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    private static string[] Values(string value) => value.Length == 0 ? [] : [value];
}
