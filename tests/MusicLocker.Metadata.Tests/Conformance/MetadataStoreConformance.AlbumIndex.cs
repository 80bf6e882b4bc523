using System.Data.Common;
using System.Text;
using MusicLocker.Metadata.Sql;

namespace MusicLocker.Metadata.Tests.Conformance;

/// <summary>
/// Album lists read the album index the catalog keeps; these tests hold every list (each order, filter, cursor walk and
/// offset) against the plain grouping of the tracks it replaced, run on the same database, after random adds, removes,
/// retags, plays, stars and account deletions, and after concurrent writers of one album.
/// </summary>
public abstract partial class MetadataStoreConformance
{
    private static readonly string[] Artists = ["Ärtist", "artist", "ARTIST", "Band", "band!", "Zoë", "Zoe"];
    private static readonly string?[] Albums = ["Album", "album", "Ålbum", "Second", "second", null];
    private static readonly string?[] Genres = ["Rock", "rock", "Jazz", null, "Pop"];
    private static readonly string?[] AlbumArtists = [null, null, "", "Various", "various", "Ärtist"];

    /// <summary>A raw connection to this test's database (for the reference grouping).</summary>
    protected abstract Task<DbConnection> OpenRawConnectionAsync();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Album_lists_equal_a_grouping_of_the_tracks_through_random_adds_removes_retags_and_account_deletes(int seed)
    {
        var random = new Random(seed);
        string[] users = ["alice", "bob", "carol"];
        foreach (var user in users)
        {
            await NewUserAsync(user);
        }

        var tracks = users.ToDictionary(u => u, _ => new List<Guid>());
        for (int step = 1; step <= 160; step++)
        {
            string user = users[random.Next(users.Length)];
            var owned = tracks[user];
            int op = random.Next(100);
            if (random.Next(3) == 0)
            {
                Time.Advance(TimeSpan.FromSeconds(random.Next(1, 100)));
            }

            if (op < 45 || owned.Count == 0)
            {
                owned.Add((await AddAsync(user, RandomTrack(random))).Id);
            }
            else if (op < 60)
            {
                var id = owned[random.Next(owned.Count)];
                await Store.Tracks.RemoveTrackAsync(user, id, Ct);
                owned.Remove(id);
            }
            else if (op < 78)
            {
                await Store.Tracks.UpdateTagsAsync(user, owned[random.Next(owned.Count)], RandomTrack(random).Tags, Ct);
            }
            else if (op < 88)
            {
                await Store.History.RecordPlayAsync(user, owned[random.Next(owned.Count)], Ct);
            }
            else if (op < 97)
            {
                var track = await Store.Tracks.GetTrackAsync(user, owned[random.Next(owned.Count)], Ct);
                var album = AnnotationTarget.Album(track.Tags.EffectiveAlbumArtist, track.Tags.Album);
                await (random.Next(2) == 0
                    ? Store.Annotations.SetStarredAsync(user, album, random.Next(4) != 0, Ct)
                    : Store.Annotations.SetRatingAsync(user, album, random.Next(6), Ct));
            }
            else
            {
                await Store.Users.DeleteAsync(user, Ct);
                owned.Clear();
                await NewUserAsync(user);
            }

            if (step % 40 == 0)
            {
                foreach (var each in users)
                {
                    await AssertAlbumListsMatchGroupingAsync(each, random);
                }
            }
        }
    }

    [Fact]
    public async Task Concurrent_adds_removes_and_retags_of_one_album_from_several_instances_keep_the_index_exact()
    {
        string user = await NewUserAsync();
        await NewUserAsync("bob");
        await AddAsync("bob", Track("bob's", "Artist", "Shared"));
        var stores = new[] { Store, await OpenAnotherAsync(), await OpenAnotherAsync(), await OpenAnotherAsync() };
        await TogetherAsync(stores.Length, async worker =>
        {
            var random = new Random(100 + worker);
            var store = stores[worker];
            var mine = new List<Guid>();
            for (int i = 0; i < 25; i++)
            {
                int op = random.Next(10);
                if (op < 5 || mine.Count == 0)
                {
                    var track = Owned(user, Track($"w{worker}-{i}", "Artist", random.Next(2) == 0 ? "Shared" : "Other", genre: Genres[random.Next(Genres.Length)]));
                    mine.Add((await store.Tracks.AddTrackAsync(user, track with { Duration = TimeSpan.FromSeconds(random.Next(1, 600)) }, null, Ct)).Id);
                }
                else if (op < 7)
                {
                    var id = mine[random.Next(mine.Count)];
                    await store.Tracks.RemoveTrackAsync(user, id, Ct);
                    mine.Remove(id);
                }
                else
                {
                    var tags = new TrackTags($"w{worker}-{i}", "Artist", random.Next(2) == 0 ? "Shared" : "Other", null, Genres[random.Next(Genres.Length)], random.Next(1990, 2000));
                    await store.Tracks.UpdateTagsAsync(user, mine[random.Next(mine.Count)], tags, Ct);
                }
            }

            return mine.Count;
        });

        await AssertAlbumListsMatchGroupingAsync(user, new Random(7));
        await AssertAlbumListsMatchGroupingAsync("bob", new Random(8));
        var bobs = await Store.Library.ListAlbumsAsync("bob", new AlbumListQuery { Order = AlbumOrder.Artist, Count = 500 }, Ct);
        Assert.Equal(1, Assert.Single(bobs).TrackCount);
    }

    [Fact]
    public async Task Album_list_cursors_are_refused_when_forged_or_from_another_order_and_never_show_another_users_albums()
    {
        string alice = await NewUserAsync();
        string bob = await NewUserAsync("bob");
        for (int i = 0; i < 6; i++)
        {
            await AddAsync(alice, Track("t" + i, "A" + i, "Alice album " + i));
            await AddAsync(bob, Track("t" + i, "A" + i, "Bob album " + i));
        }

        var first = await Store.Library.ListAlbumPageAsync(alice, new AlbumListQuery { Order = AlbumOrder.Name, Count = 2 }, Ct);
        string cursor = Assert.IsType<string>(first.NextCursor);
        var forged = new List<string> { "", "!!", "AAAA", cursor[..^2], cursor + "AA", new string('A', 5000), Convert.ToBase64String(Encoding.UTF8.GetBytes("\u0030\u0001")) };
        var calls = forged.Select(c => new HostileCall("cursor " + Label(c), "query.Cursor",
            () => Store.Library.ListAlbumPageAsync(alice, new AlbumListQuery { Order = AlbumOrder.Name, Cursor = c }, Ct))).ToList();
        foreach (var order in new[] { AlbumOrder.Artist, AlbumOrder.Newest, AlbumOrder.Year, AlbumOrder.Random, AlbumOrder.Frequent, AlbumOrder.Starred })
        {
            calls.Add(new HostileCall($"Name cursor for {order}", "query.Cursor",
                () => Store.Library.ListAlbumPageAsync(alice, new AlbumListQuery { Order = order, Cursor = cursor }, Ct)));
        }

        calls.Add(new HostileCall("year cursor, years reversed", "query.Cursor", async () =>
        {
            var years = await Store.Library.ListAlbumPageAsync(alice, new AlbumListQuery { Order = AlbumOrder.Year, FromYear = 1900, ToYear = 2100, Count = 1 }, Ct);
            await Store.Library.ListAlbumPageAsync(alice, new AlbumListQuery { Order = AlbumOrder.Year, FromYear = 2100, ToYear = 1900, Cursor = years.NextCursor }, Ct);
        }));
        await AssertAllRefusedAsync(calls);

        // Alice's cursor is only a position: used by Bob it lists Bob's albums after that name, never Alice's.
        var bobsPage = await Store.Library.ListAlbumPageAsync(bob, new AlbumListQuery { Order = AlbumOrder.Name, Count = 50, Cursor = cursor }, Ct);
        Assert.All(bobsPage.Items, a => Assert.StartsWith("Bob album", a.Title, StringComparison.Ordinal));
        Assert.Equal(6, bobsPage.Items.Count);
        var rest = await Store.Library.ListAlbumPageAsync(alice, new AlbumListQuery { Order = AlbumOrder.Name, Count = 50, Cursor = cursor }, Ct);
        Assert.Equal(["Alice album 2", "Alice album 3", "Alice album 4", "Alice album 5"], rest.Items.Select(a => a.Title));
        Assert.Null(rest.NextCursor);
    }

    [Fact]
    public async Task The_album_index_rebuilt_from_the_tracks_as_the_migration_fills_it_equals_the_one_the_writes_kept()
    {
        var random = new Random(11);
        foreach (var user in new[] { "alice", "bob" })
        {
            await NewUserAsync(user);
            var ids = new List<Guid>();
            for (int i = 0; i < 40; i++)
            {
                Time.Advance(TimeSpan.FromSeconds(random.Next(0, 3)));
                ids.Add((await AddAsync(user, RandomTrack(random))).Id);
            }

            for (int i = 0; i < 10; i++)
            {
                await Store.Tracks.UpdateTagsAsync(user, ids[random.Next(10, ids.Count)], RandomTrack(random).Tags, Ct);
                await Store.Tracks.RemoveTrackAsync(user, ids[i], Ct);
            }
        }

        const string Rows = "SELECT user_id, album_artist_key, album_key, artist, album, track_count, duration_ms, year, genre, first_track_id, added_at FROM album_index " +
            "UNION ALL SELECT user_id, album_artist_key, album_key || '/' || genre_key, artist, album, track_count, duration_ms, year, genre, first_track_id, added_at FROM album_genre_index";
        await using var connection = await OpenRawConnectionAsync();
        var kept = await DumpAsync(connection, Rows);
        Assert.NotEmpty(kept);
        await using (var transaction = await connection.BeginTransactionAsync(Ct))
        {
            await connection.Sql(transaction, "DELETE FROM album_index").ExecAsync(Ct);
            await connection.Sql(transaction, "DELETE FROM album_genre_index").ExecAsync(Ct);
            await SqlMigrations.RebuildAlbumIndexAsync(connection, transaction, Ct);
            await transaction.CommitAsync(Ct);
        }

        Assert.Equal(kept, await DumpAsync(connection, Rows));
        await AssertAlbumListsMatchGroupingAsync("alice", random);
    }

    private static async Task<List<string>> DumpAsync(DbConnection connection, string sql)
    {
        await using var command = connection.Sql(null, sql);
        var rows = await command.ListAsync(static r => string.Join("|", Enumerable.Range(0, r.FieldCount).Select(i => r.IsDBNull(i) ? "NULL" : Convert.ToString(r.GetValue(i) is byte[] b ? new Guid(b) : r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))), Ct);
        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    private static NewTrack RandomTrack(Random random)
    {
        string hash = "h-" + random.Next().ToString("x8", System.Globalization.CultureInfo.InvariantCulture) + random.Next().ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
        var tags = new TrackTags(
            "t" + random.Next(1000), Artists[random.Next(Artists.Length)], Albums[random.Next(Albums.Length)], AlbumArtists[random.Next(AlbumArtists.Length)],
            Genres[random.Next(Genres.Length)], random.Next(5) == 0 ? null : random.Next(1995, 2001), random.Next(1, 12), null, random.Next(1, 3), null);
        return new NewTrack(tags, TimeSpan.FromMilliseconds(random.Next(1_000, 600_000)), "mp3", 192, random.Next(1, 5) * 100, hash, "a-" + hash, random.Next(4) == 0, "~/" + hash);
    }

    /// <summary>Every order and filter, read whole by offset and walked by cursor in random page sizes, equals the reference grouping.</summary>
    private async Task AssertAlbumListsMatchGroupingAsync(string user, Random random)
    {
        var queries = new List<AlbumListQuery>();
        foreach (var order in Enum.GetValues<AlbumOrder>())
        {
            queries.Add(new AlbumListQuery { Order = order });
            queries.Add(new AlbumListQuery { Order = order, Genre = Genres[random.Next(Genres.Length - 1)] });
            queries.Add(new AlbumListQuery { Order = order, Artist = Artists[random.Next(Artists.Length)] });
        }

        queries.Add(new AlbumListQuery { Order = AlbumOrder.Year, FromYear = 1996, ToYear = 1999 });
        queries.Add(new AlbumListQuery { Order = AlbumOrder.Year, FromYear = 2000, ToYear = 1997 });
        queries.Add(new AlbumListQuery { Order = AlbumOrder.Year, FromYear = 2000, ToYear = 1990, Genre = "ROCK" });
        await using var connection = await OpenRawConnectionAsync();
        foreach (var query in queries)
        {
            var expected = await ReferenceAsync(connection, user, query with { Count = 500 });
            var whole = await Store.Library.ListAlbumsAsync(user, query with { Count = 500 }, Ct);
            if (query.Order == AlbumOrder.Random)
            {
                Assert.Equal(expected.OrderBy(Describe, StringComparer.Ordinal).Select(Describe), whole.OrderBy(Describe, StringComparer.Ordinal).Select(Describe));
                continue;
            }

            Assert.True(expected.SequenceEqual(whole), $"{user} {query}: offset 0 list differs\nexpected:\n{string.Join("\n", expected.Select(Describe))}\nactual:\n{string.Join("\n", whole.Select(Describe))}");

            // Walked by cursor in random page sizes, sometimes skipping after the cursor.
            var walked = new List<AlbumEntry>();
            string? cursor = null;
            do
            {
                int skip = walked.Count > 0 && random.Next(4) == 0 ? 1 : 0;
                var page = await Store.Library.ListAlbumPageAsync(user, query with { Count = random.Next(1, 5), Cursor = cursor, Offset = skip }, Ct);
                walked.AddRange(expected.Skip(walked.Count).Take(skip));
                walked.AddRange(page.Items);
                cursor = page.NextCursor;
            }
            while (cursor is not null);
            Assert.True(expected.SequenceEqual(walked), $"{user} {query}: the cursor walk differs");

            // Any offset (the seek into the order's index, or the plain offset).
            int offset = expected.Count == 0 ? 0 : random.Next(expected.Count + 1);
            var tail = await Store.Library.ListAlbumsAsync(user, query with { Offset = offset, Count = 3 }, Ct);
            Assert.True(expected.Skip(offset).Take(3).SequenceEqual(tail), $"{user} {query}: offset {offset} differs");
        }
    }

    private static string Describe(AlbumEntry a) =>
        $"{a.AlbumArtist}|{a.Title}|{a.TrackCount}|{a.Duration.TotalMilliseconds}|{a.Year}|{a.Genre}|{a.FirstTrackId}|{a.AddedAt.ToUnixTimeMilliseconds()}|{a.PlayCount}|{a.LastPlayedAt?.ToUnixTimeMilliseconds()}|{a.StarredAt?.ToUnixTimeMilliseconds()}|{a.Rating}";

    /// <summary>The album list as the catalog computed it before the album index: the user's tracks grouped on every call.</summary>
    private static async Task<List<AlbumEntry>> ReferenceAsync(DbConnection connection, string user, AlbumListQuery query)
    {
        bool withPlays = query.Order is AlbumOrder.Frequent or AlbumOrder.Recent;
        var sql = new StringBuilder()
            .Append("SELECT g.artist, g.album, g.n, g.dur, g.yr, g.genre, f.id, g.added, ")
            .Append(withPlays ? "g.plays, g.last_played" : "CAST(0 AS BIGINT), NULL")
            .Append(", a.starred_at, COALESCE(a.rating, 0) FROM (SELECT t.album_artist_key AS ak, t.album_key AS bk, ")
            .Append("MIN(COALESCE(NULLIF(t.album_artist, ''), t.artist)) AS artist, MIN(t.album) AS album, CAST(COUNT(*) AS INTEGER) AS n, ")
            .Append("CAST(SUM(t.duration_ms) AS BIGINT) AS dur, MAX(t.year) AS yr, MIN(t.genre) AS genre, MIN(t.seq) AS first_seq, MAX(t.added_at) AS added");
        sql.Append(withPlays
            ? ", CAST(COALESCE(SUM(p.n), 0) AS BIGINT) AS plays, MAX(p.last_played) AS last_played FROM tracks t LEFT JOIN (SELECT track_id, COUNT(*) AS n, MAX(played_at) AS last_played FROM plays WHERE user_id = @u GROUP BY track_id) p ON p.track_id = t.id"
            : " FROM tracks t");
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
        sql.Append(" LIMIT 500");
        var command = connection.Sql(null, sql.ToString()).With("u", user);
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

        await using (command)
        {
            return await command.ListAsync(static r => new AlbumEntry(
                r.GetNullableString(0), r.GetNullableString(1), r.GetInt32(2), TimeSpan.FromMilliseconds(r.GetInt64(3)), r.GetNullableInt32(4),
                r.GetNullableString(5), r.GetGuid(6), r.GetTime(7), r.GetInt64(8), r.IsDBNull(9) ? null : r.GetTime(9),
                r.IsDBNull(10) ? null : r.GetTime(10), r.GetInt32(11)), Ct);
        }
    }
}
