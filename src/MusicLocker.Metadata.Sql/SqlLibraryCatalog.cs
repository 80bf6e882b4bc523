using System.Globalization;
using System.Text;
using MusicLocker.Metadata.Sql.Diagnostics;

namespace MusicLocker.Metadata.Sql;

/// <summary>
/// Album lists and random tracks. Album lists: the user's tracks grouped by (album artist key, album key) with their plays and the album's annotation,
/// ordered and offset-paged in SQL. The grouping reads the user's tracks through the album index; the cost of a page
/// grows with its offset (the database walks the groups it skips), which is why players page with a cursor where one exists.
/// </summary>
internal sealed class SqlLibraryCatalog : ILibraryCatalog
{
    /// <summary>The largest offset accepted (far past any real library; keeps a hostile offset from meaning a full scan per request).</summary>
    public const int MaxOffset = 10_000_000;

    private readonly SqlStoreContext _context;

    public SqlLibraryCatalog(SqlStoreContext context) => _context = context;

    public Task<IReadOnlyList<AlbumEntry>> ListAlbumsAsync(string userId, AlbumListQuery query, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("catalog.album_list", userId, () =>
        {
            MetadataInput.UserId(userId);
            MetadataInput.NotNull(query, nameof(query));
            MetadataInput.Defined(query.Order, "query.Order");
            MetadataInput.PageSize(query.Count, "query.Count");
            if (query.Offset is < 0 or > MaxOffset)
            {
                throw MetadataInput.Invalid("query.Offset", $"An offset is 0 to {MaxOffset:N0} (got {query.Offset.ToString(CultureInfo.InvariantCulture)}).");
            }

            MetadataInput.Text(query.Genre, "query.Genre", MetadataLimits.MaxTagLength, required: false);
            MetadataInput.Text(query.Artist, "query.Artist", MetadataLimits.MaxTagLength, required: false);
            return _context.ReadAsync<IReadOnlyList<AlbumEntry>>(async connection =>
            {
                var command = connection.Sql(null, Build(query)).With("u", userId).With("n", query.Count).With("o", query.Offset);
                if (query.Genre is not null)
                {
                    command.With("g", CatalogText.Fold(query.Genre));
                }

                if (query.Artist is not null)
                {
                    command.With("ar", CatalogText.Fold(query.Artist));
                }

                if (query.Order == AlbumOrder.Year)
                {
                    int from = query.FromYear ?? 0, to = query.ToYear ?? 9999;
                    command.With("y1", Math.Min(from, to)).With("y2", Math.Max(from, to));
                }

                return await command.ListAsync(static r => new AlbumEntry(
                    r.GetNullableString(0), r.GetNullableString(1), r.GetInt32(2), TimeSpan.FromMilliseconds(r.GetInt64(3)), r.GetNullableInt32(4),
                    r.GetNullableString(5), r.GetGuid(6), r.GetTime(7), r.GetInt64(8), r.IsDBNull(9) ? null : r.GetTime(9),
                    r.IsDBNull(10) ? null : r.GetTime(10), r.GetInt32(11)), cancellationToken).ConfigureAwait(false);
            }, cancellationToken);
        });

    public Task<IReadOnlyList<TrackRecord>> ListRandomTracksAsync(string userId, int count, string? genre = null, int? fromYear = null, int? toYear = null, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("catalog.random_tracks", userId, () =>
        {
            MetadataInput.UserId(userId);
            MetadataInput.PageSize(count, nameof(count));
            MetadataInput.Text(genre, nameof(genre), MetadataLimits.MaxTagLength, required: false);
            var sql = new StringBuilder($"SELECT {TrackRows.Columns} FROM tracks t WHERE t.user_id = @u");
            if (genre is not null)
            {
                sql.Append(" AND t.genre_key = @g");
            }

            if (fromYear is not null)
            {
                sql.Append(" AND t.year >= @y1");
            }

            if (toYear is not null)
            {
                sql.Append(" AND t.year <= @y2");
            }

            sql.Append(" ORDER BY random() LIMIT @n");
            return _context.ReadAsync<IReadOnlyList<TrackRecord>>(async connection =>
            {
                var command = connection.Sql(null, sql.ToString()).With("u", userId).With("n", count);
                if (genre is not null)
                {
                    command.With("g", CatalogText.Fold(genre));
                }

                if (fromYear is not null)
                {
                    command.With("y1", fromYear.Value);
                }

                if (toYear is not null)
                {
                    command.With("y2", toYear.Value);
                }

                return await command.ListAsync(TrackRows.Read, cancellationToken).ConfigureAwait(false);
            }, cancellationToken);
        });

    private static string Build(AlbumListQuery query)
    {
        bool withPlays = query.Order is AlbumOrder.Frequent or AlbumOrder.Recent;
        var sql = new StringBuilder(1600)
            .Append("SELECT g.artist, g.album, g.n, g.dur, g.yr, g.genre, f.id, g.added, ")
            .Append(withPlays ? "g.plays, g.last_played" : "CAST(0 AS BIGINT), NULL")
            .Append(", a.starred_at, COALESCE(a.rating, 0) FROM (SELECT t.album_artist_key AS ak, t.album_key AS bk, ")
            .Append("MIN(COALESCE(NULLIF(t.album_artist, ''), t.artist)) AS artist, MIN(t.album) AS album, CAST(COUNT(*) AS INTEGER) AS n, ")
            .Append("CAST(SUM(t.duration_ms) AS BIGINT) AS dur, MAX(t.year) AS yr, MIN(t.genre) AS genre, MIN(t.seq) AS first_seq, MAX(t.added_at) AS added");
        if (withPlays)
        {
            sql.Append(", CAST(COALESCE(SUM(p.n), 0) AS BIGINT) AS plays, MAX(p.last_played) AS last_played FROM tracks t ")
                .Append("LEFT JOIN (SELECT track_id, COUNT(*) AS n, MAX(played_at) AS last_played FROM plays WHERE user_id = @u GROUP BY track_id) p ON p.track_id = t.id");
        }
        else
        {
            sql.Append(" FROM tracks t");
        }

        sql.Append(" WHERE t.user_id = @u");
        if (query.Genre is not null)
        {
            sql.Append(" AND t.genre_key = @g");
        }

        if (query.Artist is not null)
        {
            sql.Append(" AND (t.artist_key = @ar OR t.album_artist_key = @ar)");
        }

        sql.Append(" GROUP BY t.album_artist_key, t.album_key) g JOIN tracks f ON f.seq = g.first_seq AND f.user_id = @u ")
            .Append("LEFT JOIN annotations a ON a.user_id = @u AND a.kind = 1 AND a.key1 = g.ak AND a.key2 = g.bk");
        sql.Append(query.Order switch
        {
            AlbumOrder.Name => " ORDER BY g.bk, g.ak",
            AlbumOrder.Artist => " ORDER BY g.ak, g.bk",
            AlbumOrder.Newest => " ORDER BY g.added DESC, g.ak, g.bk",
            AlbumOrder.Random => " ORDER BY random()",
            AlbumOrder.Year => " WHERE g.yr BETWEEN @y1 AND @y2 ORDER BY g.yr" + ((query.FromYear ?? 0) > (query.ToYear ?? 9999) ? " DESC" : string.Empty) + ", g.ak, g.bk",
            AlbumOrder.Frequent => " WHERE g.plays > 0 ORDER BY g.plays DESC, g.last_played DESC, g.ak, g.bk",
            AlbumOrder.Recent => " WHERE g.last_played IS NOT NULL ORDER BY g.last_played DESC, g.ak, g.bk",
            AlbumOrder.Starred => " WHERE a.starred_at IS NOT NULL ORDER BY a.starred_at DESC, g.ak, g.bk",
            _ => " WHERE a.rating > 0 ORDER BY a.rating DESC, g.ak, g.bk",
        });
        return sql.Append(" LIMIT @n OFFSET @o").ToString();
    }
}
