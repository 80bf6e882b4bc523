using System.Data.Common;

namespace MusicLocker.Metadata.Sql;

/// <summary>The tracks table's columns as the engine selects them (alias <c>t</c>), and the mapping back to <see cref="TrackRecord"/>.</summary>
internal static class TrackRows
{
    public const string Columns =
        "t.id, t.user_id, t.title, t.artist, t.album, t.album_artist, t.genre, t.year, t.track_no, t.track_count, t.disc_no, t.disc_count, " +
        "t.duration_ms, t.codec, t.bitrate_kbps, t.size_bytes, t.charged_bytes, t.content_hash, t.audio_hash, t.is_purchased, t.added_at, t.storage_key, " +
        "t.comment, t.compilation";

    /// <summary>The number of columns in <see cref="Columns"/>; extra selected columns start here.</summary>
    public const int ColumnCount = 24;

    public static TrackRecord Read(DbDataReader r) => new(
        r.GetGuid(0),
        r.GetString(1),
        new TrackTags(
            r.GetString(2),
            r.GetNullableString(3),
            r.GetNullableString(4),
            r.GetNullableString(5),
            r.GetNullableString(6),
            r.GetNullableInt32(7),
            ZeroAsNull(r.GetInt32(8)),
            r.GetNullableInt32(9),
            ZeroAsNull(r.GetInt32(10)),
            r.GetNullableInt32(11),
            r.GetNullableString(22),
            r.GetNullableBoolean(23)),
        TimeSpan.FromMilliseconds(r.GetInt64(12)),
        r.GetString(13),
        r.GetInt32(14),
        r.GetInt64(15),
        r.GetInt64(16),
        r.GetString(17),
        r.GetString(18),
        r.GetBoolean(19),
        r.GetTime(20),
        r.GetString(21));

    /// <summary>
    /// Sets the tag columns and their folded keys. Track and disc numbers are stored as 0 when unknown so that the sort keys
    /// are never NULL (row-value comparisons with NULL are never true, which would break keyset paging).
    /// </summary>
    public static DbCommand WithTags(this DbCommand command, TrackTags tags) => command
        .With("title", tags.Title)
        .WithNullable("artist", tags.Artist, System.Data.DbType.String)
        .WithNullable("album", tags.Album, System.Data.DbType.String)
        .WithNullable("album_artist", tags.AlbumArtist, System.Data.DbType.String)
        .WithNullable("genre", tags.Genre, System.Data.DbType.String)
        .WithNullable("year", tags.Year, System.Data.DbType.Int32)
        .With("track_no", tags.TrackNumber ?? 0)
        .WithNullable("track_count", tags.TrackCount, System.Data.DbType.Int32)
        .With("disc_no", tags.DiscNumber ?? 0)
        .WithNullable("disc_count", tags.DiscCount, System.Data.DbType.Int32)
        .WithNullable("comment", tags.Comment, System.Data.DbType.String)
        .WithNullable("compilation", tags.Compilation, System.Data.DbType.Boolean)
        .With("title_key", CatalogText.Fold(tags.Title))
        .With("artist_key", CatalogText.Fold(tags.Artist))
        .With("album_key", CatalogText.Fold(tags.Album))
        .With("album_artist_key", CatalogText.Fold(tags.EffectiveAlbumArtist))
        .With("genre_key", CatalogText.Fold(tags.Genre))
        .With("search_text", SearchText(tags));

    public const string TagAssignments =
        "title = @title, artist = @artist, album = @album, album_artist = @album_artist, genre = @genre, year = @year, " +
        "track_no = @track_no, track_count = @track_count, disc_no = @disc_no, disc_count = @disc_count, comment = @comment, compilation = @compilation, title_key = @title_key, " +
        "artist_key = @artist_key, album_key = @album_key, album_artist_key = @album_artist_key, genre_key = @genre_key, search_text = @search_text";

    /// <summary>The folded words a search matches: title, artist, album and album artist.</summary>
    public static string SearchText(TrackTags tags) =>
        CatalogText.FoldForSearch(string.Join(' ', tags.Title, tags.Artist, tags.Album, tags.AlbumArtist));

    private static int? ZeroAsNull(int value) => value == 0 ? null : value;
}
