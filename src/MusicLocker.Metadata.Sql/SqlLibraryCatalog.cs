using System.Data.Common;
using System.Globalization;
using System.Text;
using MusicLocker.Metadata.Sql.Diagnostics;

namespace MusicLocker.Metadata.Sql;

/// <summary>
/// Album lists and random tracks. Album lists read the album index (<see cref="AlbumIndex"/>: one row per album, or per
/// album and genre for a genre's list) with one database index per order, and page on a keyset cursor: the values of
/// the last row's sort keys, the album artist and title keys last, so every order is total. A page costs the same at the
/// start and the end of the list; an offset skips rows after the cursor (a player's offset without one walks to it).
/// Plays are grouped from the user's plays at read time (the frequent and recent lists); stars and ratings come from
/// the album's annotation. Lists filtered by artist group that artist's tracks at read time (a few albums).
/// </summary>
internal sealed class SqlLibraryCatalog : ILibraryCatalog
{
    /// <summary>The largest offset accepted (far past any real library; keeps a hostile offset from meaning a full scan per request).</summary>
    public const int MaxOffset = 10_000_000;

    private const byte S = PageCursor.StringTag;
    private const byte I = PageCursor.Int64Tag;

    /// <summary>A cursor's listing tag: this base plus the order (<see cref="YearDescendingCursorKind"/> for years counting down).</summary>
    private const byte CursorKindBase = 48;
    private const byte YearDescendingCursorKind = CursorKindBase + 15;

    private const string ArtistKey = "s.album_artist_key";
    private const string TitleKey = "s.album_key";

    private readonly SqlStoreContext _context;

    public SqlLibraryCatalog(SqlStoreContext context) => _context = context;

    public async Task<IReadOnlyList<AlbumEntry>> ListAlbumsAsync(string userId, AlbumListQuery query, CancellationToken cancellationToken = default) =>
        (await ListAlbumPageAsync(userId, query, cancellationToken).ConfigureAwait(false)).Items;

    public Task<Page<AlbumEntry>> ListAlbumPageAsync(string userId, AlbumListQuery query, CancellationToken cancellationToken = default) =>
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
            var order = Order(query);
            object[]? after = null;
            if (query.Cursor is not null)
            {
                after = order.Random
                    ? throw MetadataInput.Invalid("query.Cursor", "A random album list has no cursor; ask again without one.")
                    : PageCursor.Decode(query.Cursor, order.Kind, order.Types, "query.Cursor");
            }

            return _context.ReadAsync(async connection =>
            {
                int offset = query.Offset;
                if (offset > 0 && IndexOnly(query))
                {
                    // Seek to the offset: the keys of the row before it, read from the order's index alone (no joins, no
                    // table rows), become the cursor the page starts after.
                    var seek = Bind(connection.Sql(null, Build(query, order, after is not null, seek: true)), userId, query, after).With("o", offset - 1);
                    after = await seek.FirstAsync<object[]?>(r => SqlTrackCatalog.ReadKeys(r, 0, order.Types), null, cancellationToken).ConfigureAwait(false);
                    if (after is null)
                    {
                        return new Page<AlbumEntry>([], null);
                    }

                    offset = 0;
                }

                var command = Bind(connection.Sql(null, Build(query, order, after is not null, seek: false)), userId, query, after)
                    .With("n", query.Count + 1).With("o", offset);
                var rows = await command.ListAsync(r => (Album: ReadAlbum(r), Keys: order.Random ? [] : SqlTrackCatalog.ReadKeys(r, 12, order.Types)), cancellationToken).ConfigureAwait(false);
                if (order.Random && rows.Count > query.Count)
                {
                    rows.RemoveAt(rows.Count - 1);
                }

                return SqlTrackCatalog.ToPage(rows, query.Count, order.Kind, static row => row.Album, static row => row.Keys);
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

    private static AlbumEntry ReadAlbum(DbDataReader r) => new(
        r.GetNullableString(0), r.GetNullableString(1), r.GetInt32(2), TimeSpan.FromMilliseconds(r.GetInt64(3)), r.GetNullableInt32(4),
        r.GetNullableString(5), r.GetGuid(6), r.GetTime(7), r.GetInt64(8), r.IsDBNull(9) ? null : r.GetTime(9),
        r.IsDBNull(10) ? null : r.GetTime(10), r.GetInt32(11));

    private static (int From, int To) Years(AlbumListQuery query) => (query.FromYear ?? 0, query.ToYear ?? 9999);

    /// <summary>
    /// The sort keys of an order (columns of the album source <c>s</c>, the plays <c>p</c> or the annotation <c>a</c>),
    /// each with its cursor type and direction, and the cursor tag. Every order ends with the album's artist and title
    /// keys, which make it total; none of its keys is ever NULL (the order's filter keeps such albums out).
    /// </summary>
    private static AlbumListOrder Order(AlbumListQuery query)
    {
        byte kind = (byte)(CursorKindBase + (int)query.Order);
        return query.Order switch
        {
            AlbumOrder.Name => new(kind, [TitleKey, ArtistKey], [S, S], [false, false]),
            AlbumOrder.Artist => new(kind, [ArtistKey, TitleKey], [S, S], [false, false]),
            AlbumOrder.Newest => new(kind, ["s.added_at", ArtistKey, TitleKey], [I, S, S], [true, false, false]),
            AlbumOrder.Year when Years(query) is var (from, to) && from > to =>
                new(YearDescendingCursorKind, ["s.year", ArtistKey, TitleKey], [I, S, S], [true, false, false]),
            AlbumOrder.Year => new(kind, ["s.year", ArtistKey, TitleKey], [I, S, S], [false, false, false]),
            AlbumOrder.Frequent => new(kind, ["p.plays", "p.last_played", ArtistKey, TitleKey], [I, I, S, S], [true, true, false, false]),
            AlbumOrder.Recent => new(kind, ["p.last_played", ArtistKey, TitleKey], [I, S, S], [true, false, false]),
            AlbumOrder.Starred => new(kind, ["a.starred_at", ArtistKey, TitleKey], [I, S, S], [true, false, false]),
            AlbumOrder.Highest => new(kind, ["a.rating", ArtistKey, TitleKey], [I, S, S], [true, false, false]),
            _ => new(kind, [], [], []) { Random = true },
        };
    }

    /// <summary>Whether the order's keys and filters are all in the album index's own index for it (then an offset is a seek, not a walk through joined rows).</summary>
    private static bool IndexOnly(AlbumListQuery query) =>
        query.Artist is null && query.Order is AlbumOrder.Name or AlbumOrder.Artist or AlbumOrder.Newest or AlbumOrder.Year;

    private static DbCommand Bind(DbCommand command, string userId, AlbumListQuery query, object[]? after)
    {
        command.With("u", userId);
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
            var (from, to) = Years(query);
            command.With("y1", Math.Min(from, to)).With("y2", Math.Max(from, to));
        }

        SqlTrackCatalog.AddKeyParameters(command, after);
        return command;
    }

    /// <summary>
    /// The page's SELECT (<paramref name="seek"/>: only the sort keys of row <c>@o</c>, from the album source alone). The
    /// source <c>s</c> is the album index, the genre's album index, or (filtered by artist) that artist's tracks grouped now.
    /// </summary>
    private static string Build(AlbumListQuery query, AlbumListOrder order, bool afterCursor, bool seek)
    {
        bool withPlays = query.Order is AlbumOrder.Frequent or AlbumOrder.Recent;
        bool annotated = query.Order is AlbumOrder.Starred or AlbumOrder.Highest;
        var tracks = new StringBuilder("t.user_id = @u");
        if (query.Genre is not null)
        {
            tracks.Append(" AND t.genre_key = @g");
        }

        if (query.Artist is not null)
        {
            tracks.Append(" AND (t.artist_key = @ar OR t.album_artist_key = @ar)");
        }

        string keys = order.Keys.Length == 0 ? "NULL" : string.Join(", ", order.Keys);
        var sql = new StringBuilder(2048).Append("SELECT ");
        if (seek)
        {
            sql.Append(keys);
        }
        else
        {
            sql.Append("s.artist, s.album, s.track_count, s.duration_ms, s.year, s.genre, s.first_track_id, s.added_at, ")
                .Append(withPlays ? "p.plays, p.last_played" : "CAST(0 AS BIGINT), NULL")
                .Append(", a.starred_at, COALESCE(a.rating, 0), ").Append(keys);
        }

        sql.Append(" FROM ");
        if (query.Artist is not null)
        {
            sql.Append('(').Append(AlbumIndex.Rows(tracks.ToString(), byGenre: false)).Append(") s");
        }
        else
        {
            sql.Append(query.Genre is null ? "album_index s" : "album_genre_index s");
        }

        if (withPlays)
        {
            // Inner join: the frequent and recent lists hold only albums with plays.
            sql.Append(" JOIN (SELECT t.album_artist_key AS ak, t.album_key AS bk, CAST(COUNT(*) AS BIGINT) AS plays, MAX(x.played_at) AS last_played ")
                .Append("FROM plays x JOIN tracks t ON t.id = x.track_id WHERE x.user_id = @u AND ").Append(tracks)
                .Append(" GROUP BY t.album_artist_key, t.album_key) p ON p.ak = s.album_artist_key AND p.bk = s.album_key");
        }

        if (!seek)
        {
            sql.Append(annotated ? " JOIN" : " LEFT JOIN")
                .Append(" annotations a ON a.user_id = @u AND a.kind = 1 AND a.key1 = s.album_artist_key AND a.key2 = s.album_key");
        }

        sql.Append(" WHERE s.user_id = @u");
        if (query.Genre is not null && query.Artist is null)
        {
            sql.Append(" AND s.genre_key = @g");
        }

        sql.Append(query.Order switch
        {
            AlbumOrder.Year => " AND s.year BETWEEN @y1 AND @y2",
            AlbumOrder.Starred => " AND a.starred_at IS NOT NULL",
            AlbumOrder.Highest => " AND a.rating > 0",
            _ => string.Empty,
        });
        if (afterCursor)
        {
            sql.Append(" AND ").Append(order.After());
        }

        if (order.Random)
        {
            sql.Append(" ORDER BY random()");
        }
        else
        {
            for (int i = 0; i < order.Keys.Length; i++)
            {
                sql.Append(i == 0 ? " ORDER BY " : ", ").Append(order.Keys[i]).Append(order.Descending[i] ? " DESC" : string.Empty);
            }
        }

        return sql.Append(seek ? " LIMIT 1 OFFSET @o" : " LIMIT @n OFFSET @o").ToString();
    }

    /// <summary>An album list's sort keys (see <see cref="Order"/>).</summary>
    private sealed record AlbumListOrder(byte Kind, string[] Keys, byte[] Types, bool[] Descending)
    {
        public bool Random { get; init; }

        /// <summary>
        /// Rows after the cursor's (parameters <c>@k0</c>…): lexicographic over keys whose directions differ, written so
        /// the database can seek: the first key's bound alone, then the exact condition, runs of keys in one direction
        /// compared as row values.
        /// </summary>
        public string After()
        {
            var text = new StringBuilder().Append(Keys[0]).Append(Descending[0] ? " <= @k0" : " >= @k0").Append(" AND ");
            Append(text, 0);
            return text.ToString();
        }

        private void Append(StringBuilder text, int from)
        {
            int to = from;
            while (to + 1 < Keys.Length && Descending[to + 1] == Descending[from])
            {
                to++;
            }

            string[] keys = Keys[from..(to + 1)];
            string left = SqlTrackCatalog.RowValue(keys, null), right = Parameters(from, to);
            text.Append('(').Append(left).Append(Descending[from] ? " < " : " > ").Append(right);
            if (to + 1 < Keys.Length)
            {
                text.Append(" OR (").Append(left).Append(" = ").Append(right).Append(" AND ");
                Append(text, to + 1);
                text.Append(')');
            }

            text.Append(')');
        }

        private static string Parameters(int from, int to)
        {
            var text = new StringBuilder().Append('(');
            for (int i = from; i <= to; i++)
            {
                text.Append(i == from ? "@k" : ", @k").Append(i.ToString(CultureInfo.InvariantCulture));
            }

            return text.Append(')').ToString();
        }
    }
}
