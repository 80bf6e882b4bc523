using System.Globalization;
using MusicLocker.Metadata;

namespace MusicLocker.AspNetCore.Subsonic;

/// <summary>Writes the Subsonic model elements (<c>Child</c>, <c>AlbumID3</c>, <c>ArtistID3</c>, <c>Playlist</c>) from locker records.</summary>
internal static class SubsonicModel
{
    public static void Song(SubsonicWriter w, LockerTrack track, TrackAnnotation? annotation)
    {
        var tags = track.Tags;
        var (contentType, suffix) = Format(track.Codec);
        string albumId = SubsonicIds.Album(tags.EffectiveAlbumArtist, tags.Album);
        w.Attr("id", SubsonicIds.Track(track.Id));
        w.Attr("parent", albumId);
        w.Attr("isDir", false);
        w.Attr("title", tags.Title);
        w.Attr("album", tags.Album);
        w.Attr("artist", tags.Artist);
        w.Attr("track", tags.TrackNumber);
        w.Attr("year", tags.Year);
        w.Attr("genre", tags.Genre);
        w.Attr("coverArt", SubsonicIds.Track(track.Id));
        w.Attr("size", track.SizeBytes);
        w.Attr("contentType", contentType);
        w.Attr("suffix", suffix);
        w.Attr("duration", Seconds(track.Duration));
        w.Attr("bitRate", track.BitrateKbps);
        w.Attr("path", Path(tags, suffix));
        w.Attr("isVideo", false);
        w.Attr("userRating", annotation is { Rating: > 0 } rated ? rated.Rating : null);
        w.Attr("playCount", annotation?.PlayCount ?? 0);
        w.Attr("discNumber", tags.DiscNumber);
        w.Attr("created", track.AddedAt);
        w.Attr("starred", annotation?.StarredAt);
        w.Attr("albumId", albumId);
        w.Attr("artistId", SubsonicIds.Artist(tags.Artist));
        w.Attr("type", "music");
        w.Attr("played", annotation?.LastPlayedAt);
        w.Attr("mediaType", "song");
        w.Attr("comment", tags.Comment);
        w.Attr("displayArtist", tags.Artist);
        w.Attr("displayAlbumArtist", tags.EffectiveAlbumArtist);
    }

    public static void Album(SubsonicWriter w, AlbumEntry album)
    {
        w.Attr("id", SubsonicIds.Album(album.AlbumArtist, album.Title));
        w.Attr("name", album.Title ?? string.Empty);
        w.Attr("artist", album.AlbumArtist);
        w.Attr("artistId", SubsonicIds.Artist(album.AlbumArtist));
        w.Attr("coverArt", SubsonicIds.Track(album.FirstTrackId));
        w.Attr("songCount", album.TrackCount);
        w.Attr("duration", Seconds(album.Duration));
        w.Attr("playCount", album.PlayCount);
        w.Attr("created", album.AddedAt);
        w.Attr("starred", album.StarredAt);
        w.Attr("year", album.Year);
        w.Attr("genre", album.Genre);
        w.Attr("played", album.LastPlayedAt);
        w.Attr("userRating", album.Rating > 0 ? album.Rating : null);
        w.Attr("displayArtist", album.AlbumArtist);
    }

    public static void Artist(SubsonicWriter w, string? name, int albumCount, DateTimeOffset? starred, int rating)
    {
        w.Attr("id", SubsonicIds.Artist(name));
        w.Attr("name", name ?? string.Empty);
        w.Attr("albumCount", albumCount);
        w.Attr("starred", starred);
        w.Attr("userRating", rating > 0 ? rating : null);
    }

    public static void Playlist(SubsonicWriter w, Playlist playlist, string owner, TimeSpan? duration)
    {
        w.Attr("id", SubsonicIds.Playlist(playlist.Id));
        w.Attr("name", playlist.Name);
        w.Attr("owner", owner);
        w.Attr("public", false);
        w.Attr("songCount", playlist.EntryCount);
        w.Attr("duration", Seconds(duration ?? TimeSpan.Zero));
        w.Attr("created", playlist.CreatedAt);
        w.Attr("changed", playlist.UpdatedAt);
    }

    /// <summary>What <c>stream</c> sends: the original file, so its own type (transcoding is not offered).</summary>
    public static (string ContentType, string Suffix) Format(string codec) => codec switch
    {
        "mp3" => ("audio/mpeg", "mp3"),
        "aac" => ("audio/mp4", "m4a"),
        "flac" => ("audio/flac", "flac"),
        _ => ("application/octet-stream", codec),
    };

    /// <summary>The index letter of a name: its first letter after a leading article, upper-cased; "#" for anything else.</summary>
    public static string IndexOf(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return "#";
        }

        var span = name.AsSpan().Trim();
        foreach (var article in IgnoredArticles.Split(' '))
        {
            if (span.Length > article.Length + 1 && span.StartsWith(article, StringComparison.OrdinalIgnoreCase) && span[article.Length] == ' ')
            {
                span = span[(article.Length + 1)..].TrimStart();
                break;
            }
        }

        char first = span.Length > 0 ? span[0] : '#';
        return char.IsLetter(first) ? char.ToUpper(first, CultureInfo.InvariantCulture).ToString() : "#";
    }

    public const string IgnoredArticles = "The El La Los Las Le Les";

    private static long Seconds(TimeSpan duration) => (long)Math.Round(duration.TotalSeconds, MidpointRounding.AwayFromZero);

    /// <summary>A path players may show or use for folder views; not a real path (nothing of the storage layout leaks).</summary>
    private static string Path(TrackTags tags, string suffix) =>
        $"{Clean(tags.EffectiveAlbumArtist ?? "Unknown Artist")}/{Clean(tags.Album ?? "Unknown Album")}/{Clean(tags.Title)}.{suffix}";

    private static string Clean(string part) => part.Replace('/', '_');
}
