using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text;
using MusicLocker.Metadata.Sql.Diagnostics;

namespace MusicLocker.Metadata.Sql;

/// <summary>
/// The catalog. Browsing is keyset-paged over precomputed, folded sort keys with one index per order, so a page costs the
/// same at the start and the end of 100,000 tracks. Search uses the database's full-text index over folded text and
/// returns the newest matches first, in the index's own order, so its first page does not depend on how many tracks match.
/// </summary>
internal sealed class SqlTrackCatalog : ITrackCatalog
{
    /// <summary>The page size the streaming listings read with.</summary>
    private const int StreamBatch = 200;

    private const byte SearchCursorKind = 16;
    private const byte AlbumCursorKind = 32;
    private const byte ArtistCursorKind = 33;
    private const byte GenreCursorKind = 34;

    private const byte S = PageCursor.StringTag;
    private const byte I = PageCursor.Int64Tag;
    private const byte G = PageCursor.GuidTag;

    /// <summary>
    /// The key columns of each <see cref="TrackSort"/>, last one the unique id, with the type each takes in a cursor; the
    /// order ascends unless descending.
    /// </summary>
    private static readonly (string[] Keys, byte[] Types, bool Descending)[] SortKeys =
    [
        (["t.title_key", "t.id"], [S, G], false),
        (["t.artist_key", "t.album_key", "t.disc_no", "t.track_no", "t.title_key", "t.id"], [S, S, I, I, S, G], false),
        (["t.album_artist_key", "t.album_key", "t.disc_no", "t.track_no", "t.title_key", "t.id"], [S, S, I, I, S, G], false),
        (["t.added_at", "t.id"], [I, G], true),
    ];

    private readonly SqlStoreContext _context;
    private readonly SqlQuotaLedger _ledger;

    public SqlTrackCatalog(SqlStoreContext context, SqlQuotaLedger ledger)
    {
        _context = context;
        _ledger = ledger;
    }

    public Task<TrackRecord> AddTrackAsync(string userId, NewTrack track, Guid? reservationId = null, CancellationToken cancellationToken = default) =>
        AddAsync("track.add", userId, track, (connection, transaction, row, now) =>
            InsertAsync(connection, transaction, row, userId, track, reservationId, claimAudio: false, now, cancellationToken), cancellationToken);

    public Task<TrackAddition> AddTrackIfNewAudioAsync(string userId, NewTrack track, Guid? reservationId = null, CancellationToken cancellationToken = default) =>
        AddAsync("track.add_if_new_audio", userId, track, async (connection, transaction, row, now) =>
        {
            // Under the user's row lock no other add of this user runs, so the check and the insert cannot interleave with
            // another instance's; the unique index on (user_id, audio_claim) holds the rule even if a writer skipped the lock.
            var existing = await connection.Sql(transaction, $"SELECT {TrackRows.Columns} FROM tracks t WHERE t.user_id = @u AND t.audio_hash = @a ORDER BY t.added_at, t.id LIMIT 1")
                .With("u", userId).With("a", track.AudioHash)
                .FirstAsync<TrackRecord?>(TrackRows.Read, null, cancellationToken).ConfigureAwait(false);
            return existing is not null
                ? new TrackAddition(existing, Added: false)
                : new TrackAddition(await InsertAsync(connection, transaction, row, userId, track, reservationId, claimAudio: true, now, cancellationToken).ConfigureAwait(false), Added: true);
        }, cancellationToken);

    /// <summary>Checks a new track, then runs <paramref name="add"/> in a write transaction with the user's ledger row locked.</summary>
    private Task<T> AddAsync<T>(string operation, string userId, NewTrack track, Func<DbConnection, DbTransaction, SqlQuotaLedger.QuotaRow, long, Task<T>> add, CancellationToken cancellationToken, [CallerMemberName] string member = "") =>
        MetadataTelemetry.TraceAsync(operation, userId, () =>
        {
            MetadataInput.UserId(userId);
            MetadataInput.NotNull(track, nameof(track));
            MetadataInput.Track(track, _context.StorageKeyPrefix(userId), nameof(track));
            return _context.WriteAsync(async (connection, transaction) =>
            {
                long now = _context.NowMs();
                var row = await _ledger.LockAsync(connection, transaction, userId, now, cancellationToken).ConfigureAwait(false);
                return await add(connection, transaction, row, now).ConfigureAwait(false);
            }, cancellationToken, member);
        });

    public Task<IReadOnlyList<TrackRecord>> FindByAudioHashAsync(string userId, string audioHash, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("track.find_by_audio_hash", userId, () =>
        {
            MetadataInput.UserId(userId);
            MetadataInput.Identifier(audioHash, nameof(audioHash), MetadataLimits.MaxIdentifierLength);
            return _context.ReadAsync<IReadOnlyList<TrackRecord>>(async connection =>
                await connection.Sql(null, $"SELECT {TrackRows.Columns} FROM tracks t WHERE t.user_id = @u AND t.audio_hash = @a ORDER BY t.added_at, t.id")
                    .With("u", userId).With("a", audioHash)
                    .ListAsync(TrackRows.Read, cancellationToken).ConfigureAwait(false), cancellationToken);
        });

    /// <summary>Takes the reservation, charges and inserts the track; the user's ledger row is locked by the caller.</summary>
    private async Task<TrackRecord> InsertAsync(DbConnection connection, DbTransaction transaction, SqlQuotaLedger.QuotaRow row, string userId, NewTrack track, Guid? reservationId, bool claimAudio, long now, CancellationToken cancellationToken)
    {
        long released = reservationId is { } id
            ? await _ledger.TakeReservationAsync(connection, transaction, row, id, cancellationToken).ConfigureAwait(false)
            : 0;

        // A file is its content hash and its size: a hash alone would let a huge file ride free on a tiny one's hash.
        // Only an uploaded (non-purchased) copy counts as the one already paid for. The user row is locked, so no
        // concurrent add of the same file can slip between this check and the insert.
        bool duplicate = !track.IsPurchased && await connection.Sql(transaction,
                "SELECT COUNT(*) FROM tracks WHERE user_id = @u AND content_hash = @h AND size_bytes = @s AND is_purchased = FALSE")
            .With("u", userId).With("h", track.ContentHash).With("s", track.SizeBytes).Int64Async(cancellationToken).ConfigureAwait(false) > 0;
        long charge = track.IsPurchased || duplicate ? 0 : track.SizeBytes;
        await _ledger.ChargeAsync(connection, transaction, row, released, charge, cancellationToken).ConfigureAwait(false);

        var record = new TrackRecord(Guid.NewGuid(), userId, track.Tags, track.Duration, track.Codec, track.BitrateKbps, track.SizeBytes, charge,
            track.ContentHash, track.AudioHash, track.IsPurchased, DateTimeOffset.FromUnixTimeMilliseconds(now), track.StorageKey);
        await connection.Sql(transaction,
                "INSERT INTO tracks (id, user_id, title, artist, album, album_artist, genre, year, track_no, track_count, disc_no, disc_count, comment, compilation, " +
                "title_key, artist_key, album_key, album_artist_key, genre_key, search_text, duration_ms, codec, bitrate_kbps, size_bytes, charged_bytes, " +
                "content_hash, audio_hash, is_purchased, added_at, storage_key, audio_claim) VALUES (@id, @u, @title, @artist, @album, @album_artist, @genre, @year, " +
                "@track_no, @track_count, @disc_no, @disc_count, @comment, @compilation, @title_key, @artist_key, @album_key, @album_artist_key, @genre_key, @search_text, " +
                "@duration, @codec, @bitrate, @size, @charged, @hash, @audio_hash, @purchased, @added, @key, @claim)")
            .With("id", record.Id).With("u", userId).WithTags(track.Tags)
            .With("duration", (long)track.Duration.TotalMilliseconds).With("codec", track.Codec).With("bitrate", track.BitrateKbps)
            .With("size", track.SizeBytes).With("charged", charge).With("hash", track.ContentHash).With("audio_hash", track.AudioHash)
            .With("purchased", track.IsPurchased).With("added", now).With("key", track.StorageKey)
            .WithNullable("claim", claimAudio ? track.AudioHash : null, System.Data.DbType.String)
            .ExecAsync(cancellationToken).ConfigureAwait(false);
        await AlbumIndex.RefreshAsync(connection, transaction, userId, null, record.Id, cancellationToken).ConfigureAwait(false);
        return record with { Duration = TimeSpan.FromMilliseconds((long)track.Duration.TotalMilliseconds) };
    }

    public Task<TrackRecord> GetTrackAsync(string userId, Guid trackId, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("track.get", userId, () =>
        {
            MetadataInput.UserId(userId);
            return _context.ReadAsync(connection => GetAsync(connection, null, userId, trackId, cancellationToken), cancellationToken);
        });

    public Task<IReadOnlyList<TrackRecord>> FindByContentHashAsync(string userId, string contentHash, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("track.find_by_hash", userId, () =>
        {
            MetadataInput.UserId(userId);
            MetadataInput.Identifier(contentHash, nameof(contentHash), MetadataLimits.MaxIdentifierLength);
            return _context.ReadAsync<IReadOnlyList<TrackRecord>>(async connection =>
                await connection.Sql(null, $"SELECT {TrackRows.Columns} FROM tracks t WHERE t.user_id = @u AND t.content_hash = @h ORDER BY t.added_at, t.id")
                    .With("u", userId).With("h", contentHash)
                    .ListAsync(TrackRows.Read, cancellationToken).ConfigureAwait(false), cancellationToken);
        });

    public Task<TrackRecord> UpdateTagsAsync(string userId, Guid trackId, TrackTags tags, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("track.update_tags", userId, () =>
        {
            MetadataInput.UserId(userId);
            MetadataInput.NotNull(tags, nameof(tags));
            MetadataInput.Tags(tags, nameof(tags));
            return _context.WriteAsync(async (connection, transaction) =>
            {
                var album = await AlbumIndex.BeginChangeAsync(connection, transaction, _context.Dialect, userId, trackId, cancellationToken).ConfigureAwait(false);
                int changed = await connection.Sql(transaction, $"UPDATE tracks SET {TrackRows.TagAssignments} WHERE id = @id AND user_id = @u")
                    .WithTags(tags).With("id", trackId).With("u", userId)
                    .ExecAsync(cancellationToken).ConfigureAwait(false);
                await AlbumIndex.RefreshAsync(connection, transaction, userId, album, trackId, cancellationToken).ConfigureAwait(false);
                return changed == 0
                    ? throw new MetadataNotFoundException(MetadataEntity.Track, trackId.ToString(), userId)
                    : await GetAsync(connection, transaction, userId, trackId, cancellationToken).ConfigureAwait(false);
            }, cancellationToken);
        });

    public Task<TrackRemoval> RemoveTrackAsync(string userId, Guid trackId, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("track.remove", userId, () =>
        {
            MetadataInput.UserId(userId);
            return _context.WriteAsync(async (connection, transaction) =>
            {
                var row = await _ledger.LockAsync(connection, transaction, userId, _context.NowMs(), cancellationToken).ConfigureAwait(false);
                var track = await GetAsync(connection, transaction, userId, trackId, cancellationToken).ConfigureAwait(false);
                var album = await AlbumIndex.BeginChangeAsync(connection, transaction, _context.Dialect, userId, trackId, cancellationToken).ConfigureAwait(false);
                string? coverKey = await SqlTrackCoverStore.StorageKeyAsync(connection, transaction, trackId, cancellationToken).ConfigureAwait(false);
                await connection.Sql(transaction, "DELETE FROM tracks WHERE id = @id").With("id", trackId).ExecAsync(cancellationToken).ConfigureAwait(false);
                await AlbumIndex.RefreshAsync(connection, transaction, userId, album, trackId, cancellationToken).ConfigureAwait(false);

                long usageChange = -track.ChargedBytes;
                if (track.ChargedBytes > 0)
                {
                    // The counted copy of a file the user has twice goes: the oldest remaining uploaded copy of the same file
                    // (hash and size) takes over exactly the bytes just freed, so usage does not change and the move always
                    // fits the limit, however the limit changed since.
                    var heir = await connection.Sql(transaction,
                            "SELECT id FROM tracks WHERE user_id = @u AND content_hash = @h AND size_bytes = @s AND is_purchased = FALSE ORDER BY added_at, id LIMIT 1")
                        .With("u", userId).With("h", track.ContentHash).With("s", track.SizeBytes)
                        .FirstAsync<Guid?>(static r => r.GetGuid(0), null, cancellationToken).ConfigureAwait(false);
                    if (heir is { } next)
                    {
                        await connection.Sql(transaction, "UPDATE tracks SET charged_bytes = @c WHERE id = @id")
                            .With("c", track.ChargedBytes).With("id", next).ExecAsync(cancellationToken).ConfigureAwait(false);
                        usageChange = 0;
                    }
                }

                if (usageChange != 0)
                {
                    await connection.Sql(transaction, "UPDATE locker_users SET used_bytes = used_bytes + @d WHERE user_id = @u")
                        .With("d", usageChange).With("u", row.UserId).ExecAsync(cancellationToken).ConfigureAwait(false);
                }

                bool stillReferenced = await connection.Sql(transaction, "SELECT COUNT(*) FROM tracks WHERE user_id = @u AND storage_key = @k")
                    .With("u", userId).With("k", track.StorageKey).Int64Async(cancellationToken).ConfigureAwait(false) > 0;
                return new TrackRemoval(track, stillReferenced, coverKey);
            }, cancellationToken);
        });

    public Task<Page<TrackRecord>> BrowsePageAsync(string userId, TrackQuery query, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("catalog.browse", userId, () =>
        {
            MetadataInput.UserId(userId);
            MetadataInput.NotNull(query, nameof(query));
            MetadataInput.PageSize(query.PageSize, "query.PageSize");
            MetadataInput.Defined(query.Sort, "query.Sort");
            MetadataInput.Text(query.Artist, "query.Artist", MetadataLimits.MaxTagLength, required: false);
            MetadataInput.Text(query.Album, "query.Album", MetadataLimits.MaxTagLength, required: false);
            MetadataInput.Text(query.AlbumArtist, "query.AlbumArtist", MetadataLimits.MaxTagLength, required: false);
            MetadataInput.Text(query.Genre, "query.Genre", MetadataLimits.MaxTagLength, required: false);

            var sql = new StringBuilder(512).Append("FROM tracks t WHERE t.user_id = @u");
            var filters = new List<(string Name, string Value)>(4);
            AddFilter(sql, filters, "t.artist_key", "fa", query.Artist);
            AddFilter(sql, filters, "t.album_key", "fb", query.Album);
            AddFilter(sql, filters, "t.album_artist_key", "fc", query.AlbumArtist);
            AddFilter(sql, filters, "t.genre_key", "fd", query.Genre);
            return PageTracksAsync(userId, sql, filters, (byte)query.Sort, SortKeys[(int)query.Sort], query.PageSize, query.Cursor, "query.Cursor", cancellationToken);
        });

    public Task<Page<TrackRecord>> SearchPageAsync(string userId, string text, int pageSize = 50, string? cursor = null, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("catalog.search", userId, () =>
        {
            MetadataInput.UserId(userId);
            MetadataInput.PageSize(pageSize, nameof(pageSize));
            var words = MetadataInput.SearchWords(text, nameof(text));
            if (words.Count == 0)
            {
                return Task.FromResult(new Page<TrackRecord>([], null));
            }

            var sql = new StringBuilder(512).Append("FROM ").Append(_context.Dialect.SearchSource)
                .Append(" WHERE ").Append(_context.Dialect.SearchPredicate).Append(" AND t.user_id = @u");
            var parameters = new List<(string Name, string Value)> { ("q", _context.Dialect.BuildSearchQuery(userId, words)) };
            return PageTracksAsync(userId, sql, parameters, SearchCursorKind, ([_context.Dialect.SearchOrderColumn], [I], true), pageSize, cursor, nameof(cursor), cancellationToken);
        });

    public IAsyncEnumerable<TrackRecord> BrowseAsync(string userId, TrackQuery query, CancellationToken cancellationToken = default)
    {
        MetadataInput.NotNull(query, nameof(query));
        return AllPagesAsync(cursor => BrowsePageAsync(userId, query with { Cursor = cursor }, cancellationToken), query.Cursor, cancellationToken);
    }

    public async IAsyncEnumerable<TrackRecord> ListByStorageKeyAsync(string userId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        MetadataInput.UserId(userId);
        string? afterKey = null;
        Guid afterId = Guid.Empty;
        while (true)
        {
            var page = await MetadataTelemetry.TraceAsync("catalog.by_storage_key", userId, () => _context.ReadAsync(connection =>
            {
                // Keyset on (storage_key, id), compared as bytes (the dialect's ordinal collation), the storage listing's order.
                string collate = _context.Dialect.OrdinalCollation;
                string after = afterKey is null ? string.Empty : $" AND (t.storage_key{collate} > @k OR (t.storage_key = @k AND t.id > @id))";
                var command = connection.Sql(null, $"SELECT {TrackRows.Columns} FROM tracks t WHERE t.user_id = @u{after} ORDER BY t.storage_key{collate}, t.id LIMIT {StreamBatch}")
                    .With("u", userId);
                if (afterKey is not null)
                {
                    command.With("k", afterKey).With("id", afterId);
                }

                return command.ListAsync(TrackRows.Read, cancellationToken);
            }, cancellationToken)).ConfigureAwait(false);
            foreach (var track in page)
            {
                yield return track;
            }

            if (page.Count < StreamBatch)
            {
                yield break;
            }

            afterKey = page[^1].StorageKey;
            afterId = page[^1].Id;
        }
    }

    public IAsyncEnumerable<TrackRecord> SearchAsync(string userId, string text, CancellationToken cancellationToken = default) =>
        AllPagesAsync(cursor => SearchPageAsync(userId, text, StreamBatch, cursor, cancellationToken), null, cancellationToken);

    public IAsyncEnumerable<AlbumSummary> ListAlbumsAsync(string userId, CancellationToken cancellationToken = default) =>
        AllPagesAsync(cursor => ListAlbumsPageAsync(userId, StreamBatch, cursor, cancellationToken), null, cancellationToken);

    public IAsyncEnumerable<ArtistSummary> ListArtistsAsync(string userId, CancellationToken cancellationToken = default) =>
        AllPagesAsync(cursor => ListArtistsPageAsync(userId, StreamBatch, cursor, cancellationToken), null, cancellationToken);

    public IAsyncEnumerable<GenreSummary> ListGenresAsync(string userId, CancellationToken cancellationToken = default) =>
        AllPagesAsync(cursor => ListGenresPageAsync(userId, StreamBatch, cursor, cancellationToken), null, cancellationToken);

    public async Task<IReadOnlyList<TrackRecord>> GetLatestAsync(string userId, int count = 50, CancellationToken cancellationToken = default)
    {
        MetadataInput.PageSize(count, nameof(count));
        var page = await BrowsePageAsync(userId, new TrackQuery { Sort = TrackSort.RecentlyAdded, PageSize = count }, cancellationToken).ConfigureAwait(false);
        return page.Items;
    }

    public Task<Page<AlbumSummary>> ListAlbumsPageAsync(string userId, int pageSize = 50, string? cursor = null, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("catalog.albums", userId, () =>
            PageGroupsAsync(userId, ["t.album_artist_key", "t.album_key"], [S, S],
                "MIN(COALESCE(NULLIF(t.album_artist, ''), t.artist)), MIN(t.album), CAST(COUNT(*) AS INTEGER), CAST(SUM(t.duration_ms) AS BIGINT), MAX(t.year)", 5,
                static r => new AlbumSummary(r.GetNullableString(0), r.GetNullableString(1), r.GetInt32(2), TimeSpan.FromMilliseconds(r.GetInt64(3)), r.GetNullableInt32(4)),
                AlbumCursorKind, pageSize, cursor, cancellationToken));

    public Task<Page<ArtistSummary>> ListArtistsPageAsync(string userId, int pageSize = 50, string? cursor = null, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("catalog.artists", userId, () =>
            PageGroupsAsync(userId, ["t.artist_key"], [S], "MIN(t.artist), CAST(COUNT(*) AS INTEGER), CAST(COUNT(DISTINCT t.album_key) AS INTEGER)", 3,
                static r => new ArtistSummary(r.GetNullableString(0), r.GetInt32(1), r.GetInt32(2)),
                ArtistCursorKind, pageSize, cursor, cancellationToken));

    public Task<Page<GenreSummary>> ListGenresPageAsync(string userId, int pageSize = 50, string? cursor = null, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("catalog.genres", userId, () =>
            PageGroupsAsync(userId, ["t.genre_key"], [S], "MIN(t.genre), CAST(COUNT(*) AS INTEGER), CAST(COUNT(DISTINCT t.album_key) AS INTEGER)", 3,
                static r => new GenreSummary(r.GetNullableString(0), r.GetInt32(1)) { AlbumCount = r.GetInt32(2) },
                GenreCursorKind, pageSize, cursor, cancellationToken));

    internal static async Task<TrackRecord> GetAsync(DbConnection connection, DbTransaction? transaction, string userId, Guid trackId, CancellationToken cancellationToken) =>
        await connection.Sql(transaction, $"SELECT {TrackRows.Columns} FROM tracks t WHERE t.id = @id AND t.user_id = @u")
            .With("id", trackId).With("u", userId)
            .FirstAsync<TrackRecord?>(TrackRows.Read, null, cancellationToken).ConfigureAwait(false)
        ?? throw new MetadataNotFoundException(MetadataEntity.Track, trackId.ToString(), userId);

    /// <summary>Every item of a keyset-paged listing, one page (one short read, one span) at a time: no connection is held between pages.</summary>
    private static async IAsyncEnumerable<T> AllPagesAsync<T>(Func<string?, Task<Page<T>>> readPage, string? cursor, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        do
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = await readPage(cursor).ConfigureAwait(false);
            foreach (var item in page.Items)
            {
                yield return item;
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);
    }

    private static void AddFilter(StringBuilder sql, List<(string Name, string Value)> filters, string column, string name, string? value)
    {
        if (value is null)
        {
            return;
        }

        sql.Append(" AND ").Append(column).Append(" = @").Append(name);
        filters.Add((name, CatalogText.Fold(value)));
    }

    /// <summary>
    /// One keyset page: <c>(k1, …, id) &gt; (@k0, …)</c> (or &lt; for a descending order) after the cursor's row, in key
    /// order, one row more than the page to learn whether another page follows.
    /// </summary>
    private Task<Page<TrackRecord>> PageTracksAsync(string userId, StringBuilder from, List<(string Name, string Value)> parameters, byte cursorKind,
        (string[] Keys, byte[] Types, bool Descending) order, int pageSize, string? cursor, string cursorParameter, CancellationToken cancellationToken)
    {
        var after = cursor is null ? null : PageCursor.Decode(cursor, cursorKind, order.Types, cursorParameter);
        if (after is not null)
        {
            from.Append(" AND ").Append(RowValue(order.Keys, null)).Append(order.Descending ? " < " : " > ").Append(RowValue(order.Keys, "k"));
        }

        string direction = order.Descending ? " DESC" : string.Empty;
        var sql = new StringBuilder(1024).Append("SELECT ").Append(TrackRows.Columns);
        foreach (var key in order.Keys)
        {
            sql.Append(", ").Append(key);
        }

        sql.Append(' ').Append(from).Append(" ORDER BY ");
        for (int i = 0; i < order.Keys.Length; i++)
        {
            sql.Append(i == 0 ? string.Empty : ", ").Append(order.Keys[i]).Append(direction);
        }

        sql.Append(" LIMIT @limit");
        return _context.ReadAsync(async connection =>
        {
            var command = connection.Sql(null, sql.ToString()).With("u", userId).With("limit", pageSize + 1);
            foreach (var (name, value) in parameters)
            {
                command.With(name, value);
            }

            AddKeyParameters(command, after);
            object[]? lastKeys = null;
            var rows = await command.ListAsync(r =>
            {
                var track = TrackRows.Read(r);
                lastKeys = ReadKeys(r, TrackRows.ColumnCount, order.Types);
                return (track, lastKeys);
            }, cancellationToken).ConfigureAwait(false);
            return ToPage(rows, pageSize, cursorKind, static row => row.track, static row => row.lastKeys);
        }, cancellationToken);
    }

    private Task<Page<T>> PageGroupsAsync<T>(string userId, string[] keys, byte[] types, string aggregates, int aggregateCount, Func<DbDataReader, T> map, byte cursorKind,
        int pageSize, string? cursor, CancellationToken cancellationToken)
    {
        MetadataInput.UserId(userId);
        MetadataInput.PageSize(pageSize, nameof(pageSize));
        var after = cursor is null ? null : PageCursor.Decode(cursor, cursorKind, types, nameof(cursor));
        string keyList = string.Join(", ", keys);
        var sql = new StringBuilder(512).Append("SELECT ").Append(aggregates).Append(", ").Append(keyList).Append(" FROM tracks t WHERE t.user_id = @u");
        if (after is not null)
        {
            sql.Append(" AND ").Append(RowValue(keys, null)).Append(" > ").Append(RowValue(keys, "k"));
        }

        sql.Append(" GROUP BY ").Append(keyList).Append(" ORDER BY ").Append(keyList).Append(" LIMIT @limit");
        return _context.ReadAsync(async connection =>
        {
            var command = connection.Sql(null, sql.ToString()).With("u", userId).With("limit", pageSize + 1);
            AddKeyParameters(command, after);
            var rows = await command.ListAsync(r => (Item: map(r), Keys: ReadKeys(r, aggregateCount, types)), cancellationToken).ConfigureAwait(false);
            return ToPage(rows, pageSize, cursorKind, static row => row.Item, static row => row.Keys);
        }, cancellationToken);
    }

    internal static Page<T> ToPage<TRow, T>(List<TRow> rows, int pageSize, byte cursorKind, Func<TRow, T> item, Func<TRow, object[]> keys)
    {
        int count = Math.Min(rows.Count, pageSize);
        var items = new T[count];
        for (int i = 0; i < count; i++)
        {
            items[i] = item(rows[i]);
        }

        string? next = rows.Count > pageSize ? PageCursor.Encode(cursorKind, keys(rows[pageSize - 1])) : null;
        return new Page<T>(items, next);
    }

    /// <summary>The sort keys of a row as the cursor types them (SQLite hands ids back as text, PostgreSQL as uuid).</summary>
    internal static object[] ReadKeys(DbDataReader reader, int offset, byte[] types)
    {
        var keys = new object[types.Length];
        for (int i = 0; i < types.Length; i++)
        {
            keys[i] = types[i] switch
            {
                S => reader.GetString(offset + i),
                G => reader.GetGuid(offset + i),
                _ => Convert.ToInt64(reader.GetValue(offset + i), System.Globalization.CultureInfo.InvariantCulture),
            };
        }

        return keys;
    }

    internal static void AddKeyParameters(DbCommand command, object[]? keys)
    {
        if (keys is null)
        {
            return;
        }

        for (int i = 0; i < keys.Length; i++)
        {
            command.With("k" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), keys[i]);
        }
    }

    internal static string RowValue(string[] keys, string? parameterPrefix)
    {
        var text = new StringBuilder().Append('(');
        for (int i = 0; i < keys.Length; i++)
        {
            text.Append(i == 0 ? string.Empty : ", ");
            if (parameterPrefix is null)
            {
                text.Append(keys[i]);
            }
            else
            {
                text.Append('@').Append(parameterPrefix).Append(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return text.Append(')').ToString();
    }
}
