using System.Diagnostics;
using System.Globalization;
using System.Xml.Linq;
using Microsoft.Data.Sqlite;

namespace MusicLocker.AspNetCore.Tests.Subsonic;

/// <summary>
/// A 100,000-track locker (catalog rows written straight into the metadata store's database, not uploaded): a player
/// paging through search3 or getAlbumList2 pays for its last page what it paid for its first (medians compared by
/// ratio, so a loaded machine slows both alike).
/// </summary>
public sealed class SubsonicPagingTests
{
    public const int Tracks = 100_000;
    public const int TracksPerAlbum = 10;
    private static readonly XNamespace Ns = SubsonicHost.Ns;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Writes <paramref name="count"/> tracks of <paramref name="userId"/> in one transaction (the search index follows by trigger, the album index is rebuilt).</summary>
    internal static async Task SeedAsync(string databasePath, string userId, int count)
    {
        await using var connection = new SqliteConnection($"Data Source={databasePath};Foreign Keys=True");
        await connection.OpenAsync(Ct);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(Ct);
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText =
            "INSERT INTO tracks (id, user_id, title, artist, album, album_artist, genre, year, track_no, track_count, disc_no, disc_count, " +
            "title_key, artist_key, album_key, album_artist_key, genre_key, duration_ms, codec, bitrate_kbps, size_bytes, charged_bytes, " +
            "content_hash, audio_hash, is_purchased, added_at, storage_key, search_text) VALUES " +
            "($id, $u, $title, $artist, $album, $artist, $genre, $year, $no, 10, 1, 1, $title, $artist, $album, $artist, $genre, 180000, 'mp3', 192, " +
            "4000000, 0, $hash, $hash, 1, $added, $key, $search)";
        var p = new Dictionary<string, SqliteParameter>();
        foreach (var name in new[] { "$id", "$u", "$title", "$artist", "$album", "$genre", "$year", "$no", "$hash", "$added", "$key", "$search" })
        {
            p[name] = insert.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        p["$u"].Value = userId;
        for (int i = 0; i < count; i++)
        {
            int album = i / TracksPerAlbum;
            string title = "track " + i.ToString("D6", CultureInfo.InvariantCulture);
            string artist = "artist " + (album % 1000).ToString("D4", CultureInfo.InvariantCulture);
            string albumTitle = "album " + album.ToString("D5", CultureInfo.InvariantCulture);
            p["$id"].Value = Guid.NewGuid();
            p["$title"].Value = title;
            p["$artist"].Value = artist;
            p["$album"].Value = albumTitle;
            p["$genre"].Value = "genre " + (album % 20).ToString(CultureInfo.InvariantCulture);
            p["$year"].Value = 1950 + (album % 70);
            p["$no"].Value = (i % TracksPerAlbum) + 1;
            p["$hash"].Value = i.ToString("x8", CultureInfo.InvariantCulture);
            p["$added"].Value = 1_700_000_000_000L + i;
            p["$key"].Value = $"users/{userId}/tracks/{i:x8}";
            p["$search"].Value = $"{title} {artist} {albumTitle}";
            await insert.ExecuteNonQueryAsync(Ct);
        }

        await MusicLocker.Metadata.Sql.SqlMigrations.RebuildAlbumIndexAsync(connection, transaction, Ct); // rows written past the catalog
        await transaction.CommitAsync(Ct);
    }

    [Fact]
    public async Task Search3_and_getAlbumList2_pages_cost_alike_from_first_to_last_over_100k_tracks()
    {
        await using var host = await SubsonicHost.StartAsync(upload: false);
        await SeedAsync(host.DatabasePath, "ann", Tracks);
        const int pageSize = 500;

        // search3 with an empty query, walked page by page as a syncing player does: every page must come from a cursor.
        var songCosts = new List<TimeSpan>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int offset = 0; ; offset += pageSize)
        {
            var watch = Stopwatch.StartNew();
            var page = await host.XmlAsync(host.Url("search3", $"query=&artistCount=0&albumCount=0&songCount={pageSize}&songOffset={offset}"));
            songCosts.Add(watch.Elapsed);
            var ids = page.Descendants(Ns + "song").Select(s => (string)s.Attribute("id")!).ToList();
            Assert.All(ids, id => Assert.True(seen.Add(id), "a song was listed twice: " + id));
            if (ids.Count < pageSize)
            {
                break;
            }
        }

        Assert.Equal(Tracks, seen.Count);
        AssertFlat("search3", songCosts);

        // getAlbumList2 (10,000 albums): the first pages and the last pages.
        var albumCosts = new List<TimeSpan>();
        int albums = Tracks / TracksPerAlbum;
        foreach (int offset in new[] { 0, 500, 1000, 1500, 2000, albums - 2500, albums - 2000, albums - 1500, albums - 1000, albums - 500 })
        {
            var watch = Stopwatch.StartNew();
            var page = await host.XmlAsync(host.Url("getAlbumList2", $"type=alphabeticalByArtist&size=500&offset={offset}"));
            albumCosts.Add(watch.Elapsed);
            Assert.Equal(500, page.Descendants(Ns + "album").Count());
        }

        AssertFlat("getAlbumList2", albumCosts);
        var last = await host.XmlAsync(host.Url("getAlbumList2", $"type=alphabeticalByArtist&size=500&offset={albums - 1}"));
        Assert.Single(last.Descendants(Ns + "album"));
    }

    /// <summary>The median of the last five pages is at most three times the median of the first five (warm-up page excluded).</summary>
    private static void AssertFlat(string what, List<TimeSpan> costs)
    {
        var first = Median(costs.Skip(1).Take(5));
        var last = Median(costs.TakeLast(5));
        Assert.True(last.Ticks <= first.Ticks * 3, $"{what}: last pages {last.TotalMilliseconds:F1} ms vs first {first.TotalMilliseconds:F1} ms");
    }

    private static TimeSpan Median(IEnumerable<TimeSpan> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
