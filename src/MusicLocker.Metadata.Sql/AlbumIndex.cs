using System.Data.Common;

namespace MusicLocker.Metadata.Sql;

/// <summary>
/// The album index: one row per (user, album artist key, album key) in <c>album_index</c>, and one per (user, album
/// artist key, album key, genre key) in <c>album_genre_index</c>, holding what an album list shows (display names, track
/// count, duration, latest year, a genre, first track, latest upload). Album lists page over these tables with one index
/// per order instead of grouping the user's tracks on every call.
/// </summary>
/// <remarks>
/// Kept exact by recomputation, not by arithmetic: every catalog write that can change an album (add, remove, tag edit)
/// calls <see cref="RefreshAsync"/> in its own transaction, which regroups the album's tracks (an index range of one
/// album) with <see cref="Rows"/>, the same aggregate the listing used to run over the whole library. MIN/MAX survive
/// deletes that way, and a row equals what a GROUP BY over the tracks gives, collation included. Writers of one user
/// serialise on the user's row (PostgreSQL <c>FOR UPDATE</c>; SQLite has one writer), so two transactions never regroup
/// the same album from different snapshots. Rows go with their user (<c>ON DELETE CASCADE</c>).
/// </remarks>
internal static class AlbumIndex
{
    /// <summary>The index's columns, in the order <see cref="Rows"/> produces them (the genre table adds <c>genre_key</c> after the keys).</summary>
    private const string Values = "artist, album, track_count, duration_ms, year, genre, first_track_id, added_at";

    private static readonly bool[] BothTables = [false, true];

    /// <summary>
    /// A SELECT of index rows (<c>user_id, album_artist_key, album_key[, genre_key], artist, album, track_count,
    /// duration_ms, year, genre, first_track_id, added_at</c>) grouped from the tracks matching <paramref name="where"/>
    /// (over alias <c>t</c>). The one definition of an album's fields: the index's upkeep, its backfill and the lists
    /// filtered by artist (grouped at read time) all use it.
    /// </summary>
    public static string Rows(string where, bool byGenre)
    {
        string genre = byGenre ? ", t.genre_key" : string.Empty;
        return "SELECT g.user_id, g.album_artist_key, g.album_key" + (byGenre ? ", g.genre_key" : string.Empty) +
            ", g.artist, g.album, g.track_count, g.duration_ms, g.year, g.genre, f.id AS first_track_id, g.added_at FROM (" +
            "SELECT t.user_id, t.album_artist_key, t.album_key" + genre + ", MIN(COALESCE(NULLIF(t.album_artist, ''), t.artist)) AS artist, " +
            "MIN(t.album) AS album, CAST(COUNT(*) AS INTEGER) AS track_count, CAST(SUM(t.duration_ms) AS BIGINT) AS duration_ms, " +
            "MAX(t.year) AS year, MIN(t.genre) AS genre, MIN(t.seq) AS first_seq, MAX(t.added_at) AS added_at FROM tracks t WHERE " + where +
            " GROUP BY t.user_id, t.album_artist_key, t.album_key" + genre + ") g JOIN tracks f ON f.seq = g.first_seq";
    }

    /// <summary>Fills both tables from every track (they must be empty): the migration that creates them, and tools that wrote tracks with their own SQL.</summary>
    public static async Task RebuildAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await connection.Sql(transaction, "DELETE FROM album_index").ExecAsync(cancellationToken).ConfigureAwait(false);
        await connection.Sql(transaction, "DELETE FROM album_genre_index").ExecAsync(cancellationToken).ConfigureAwait(false);
        await connection.Sql(transaction, Insert(byGenre: false) + Rows("1 = 1", byGenre: false)).ExecAsync(cancellationToken).ConfigureAwait(false);
        await connection.Sql(transaction, Insert(byGenre: true) + Rows("1 = 1", byGenre: true)).ExecAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Before a write that may move or remove a track: locks the user's row (so no other writer of this user regroups an
    /// album meanwhile) and returns the album the track is on now, <see langword="null"/> when the user has no such track.
    /// </summary>
    public static async Task<AlbumKey?> BeginChangeAsync(DbConnection connection, DbTransaction transaction, SqlDialect dialect, string userId, Guid trackId, CancellationToken cancellationToken)
    {
        await connection.Sql(transaction, "SELECT user_id FROM locker_users WHERE user_id = @u" + dialect.ForUpdate)
            .With("u", userId).FirstAsync<string?>(static r => r.GetString(0), null, cancellationToken).ConfigureAwait(false);
        return await AlbumOfAsync(connection, transaction, userId, trackId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// After a write to track <paramref name="trackId"/> (inside the write's transaction, the user's row locked): regroups
    /// the album it was on (<paramref name="before"/>) and the album it is on now, if any.
    /// </summary>
    public static async Task RefreshAsync(DbConnection connection, DbTransaction transaction, string userId, AlbumKey? before, Guid trackId, CancellationToken cancellationToken)
    {
        var after = await AlbumOfAsync(connection, transaction, userId, trackId, cancellationToken).ConfigureAwait(false);
        if (before is { } old)
        {
            await RegroupAsync(connection, transaction, userId, old, cancellationToken).ConfigureAwait(false);
        }

        if (after is { } now && now != before)
        {
            await RegroupAsync(connection, transaction, userId, now, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<AlbumKey?> AlbumOfAsync(DbConnection connection, DbTransaction transaction, string userId, Guid trackId, CancellationToken cancellationToken) =>
        await connection.Sql(transaction, "SELECT album_artist_key, album_key FROM tracks WHERE id = @id AND user_id = @u")
            .With("id", trackId).With("u", userId)
            .FirstAsync<AlbumKey?>(static r => new AlbumKey(r.GetString(0), r.GetString(1)), null, cancellationToken).ConfigureAwait(false);

    /// <summary>Replaces the album's rows in both tables with the grouping of its tracks now (none when it has no tracks left).</summary>
    private static async Task RegroupAsync(DbConnection connection, DbTransaction transaction, string userId, AlbumKey album, CancellationToken cancellationToken)
    {
        const string Album = "user_id = @u AND album_artist_key = @ak AND album_key = @bk";
        foreach (bool byGenre in BothTables)
        {
            string table = byGenre ? "album_genre_index" : "album_index";
            await connection.Sql(transaction, $"DELETE FROM {table} WHERE {Album}")
                .With("u", userId).With("ak", album.ArtistKey).With("bk", album.TitleKey).ExecAsync(cancellationToken).ConfigureAwait(false);
            await connection.Sql(transaction, Insert(byGenre) + Rows("t." + Album.Replace(" AND ", " AND t.", StringComparison.Ordinal), byGenre))
                .With("u", userId).With("ak", album.ArtistKey).With("bk", album.TitleKey).ExecAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Insert(bool byGenre) => byGenre
        ? $"INSERT INTO album_genre_index (user_id, album_artist_key, album_key, genre_key, {Values}) "
        : $"INSERT INTO album_index (user_id, album_artist_key, album_key, {Values}) ";

    /// <summary>An album's identity: its folded album artist and title.</summary>
    public readonly record struct AlbumKey(string ArtistKey, string TitleKey);
}
