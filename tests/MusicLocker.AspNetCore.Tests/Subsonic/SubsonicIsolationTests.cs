using System.Xml.Linq;

namespace MusicLocker.AspNetCore.Tests.Subsonic;

/// <summary>A user reaches none of another user's songs, albums, artists, playlists, cover art or stars, by any id or method.</summary>
public sealed class SubsonicIsolationTests
{
    private static readonly XNamespace Ns = SubsonicHost.Ns;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ann_cannot_reach_bobs_objects_with_bobs_ids()
    {
        await using var host = await SubsonicHost.StartAsync();
        string bob = host.BobKey;

        // Bob's own view: his ids for a song, an album, an artist and a playlist; he stars and rates them.
        var bobAlbums = await host.XmlAsync(host.Url("getAlbumList2", "type=alphabeticalByName", key: bob));
        var album = bobAlbums.Descendants(Ns + "album").First();
        string albumId = (string)album.Attribute("id")!;
        string artistId = (string)album.Attribute("artistId")!;
        string songId = "tr-" + host.Bob.Values.First().ToString("N");
        string playlistId = (string)(await host.XmlAsync(host.Url("createPlaylist", "name=Bobs&songId=" + songId, key: bob))).Element(Ns + "playlist")!.Attribute("id")!;
        await host.XmlAsync(host.Url("star", $"id={songId}&albumId={albumId}&artistId={artistId}", key: bob));
        await host.XmlAsync(host.Url("setRating", $"id={songId}&rating=5", key: bob));

        // Every method ann could aim at them answers "not found".
        var attempts = new[]
        {
            ("getSong", "id=" + songId), ("getAlbum", "id=" + albumId), ("getArtist", "id=" + artistId),
            ("stream", "id=" + songId), ("download", "id=" + songId), ("stream", "id=" + songId + "&timeOffset=1"),
            ("getCoverArt", "id=" + songId), ("getCoverArt", "id=" + albumId),
            ("star", "id=" + songId), ("star", "albumId=" + albumId), ("star", "artistId=" + artistId), ("unstar", "id=" + songId),
            ("setRating", $"id={songId}&rating=1"), ("setRating", $"id={albumId}&rating=1"), ("scrobble", "id=" + songId),
            ("getPlaylist", "id=" + playlistId), ("updatePlaylist", $"playlistId={playlistId}&name=Mine"),
            ("deletePlaylist", "id=" + playlistId), ("createPlaylist", $"playlistId={playlistId}"),
            ("createPlaylist", "name=Steal&songId=" + songId),
        };
        foreach (var (method, query) in attempts)
        {
            Assert.True(await host.ErrorAsync(host.Url(method, query)) == 70, $"{method}?{query} did not answer 70");
        }

        // Nothing of bob's shows up in ann's lists, and bob's data is intact.
        string[] bobIds = [songId, albumId, playlistId];
        foreach (var (method, query) in new[]
        {
            ("search3", string.Empty), ("search3", "query=V1"), ("getStarred2", string.Empty), ("getPlaylists", string.Empty), ("getRandomSongs", "size=500"),
            ("getAlbumList2", "type=alphabeticalByName&size=500"), ("getAlbumList2", "type=starred"), ("getAlbumList2", "type=highest"), ("getArtists", string.Empty),
        })
        {
            string body = (await host.XmlAsync(host.Url(method, query))).ToString();
            Assert.All(bobIds, id => Assert.DoesNotContain(id, body));
        }

        Assert.DoesNotContain("V24 Album", (await host.XmlAsync(host.Url("search3"))).ToString());
        var bobStarred = await host.XmlAsync(host.Url("getStarred2", key: bob));
        Assert.Equal(songId, (string?)bobStarred.Descendants(Ns + "song").Single().Attribute("id"));
        Assert.Equal(5, (int)bobStarred.Descendants(Ns + "song").Single().Attribute("userRating")!);
        Assert.Single(bobStarred.Descendants(Ns + "album"));
        Assert.Single(bobStarred.Descendants(Ns + "artist"));
        Assert.Equal("Bobs", (string?)(await host.XmlAsync(host.Url("getPlaylist", "id=" + playlistId, key: bob))).Element(Ns + "playlist")!.Attribute("name"));
        Assert.Empty(await host.Locker.ForUser("ann").History.GetRecentlyPlayedAsync(cancellationToken: Ct));
        Assert.Empty(await host.Locker.ForUser("ann").Annotations.ListStarredTracksAsync(cancellationToken: Ct));
    }

    [Fact]
    public async Task Forged_ids_find_nothing_and_do_not_fail_the_server()
    {
        await using var host = await SubsonicHost.StartAsync();
        foreach (string id in new[] { "tr-", "tr-zz", "al-!!!", "al-" + new string('A', 7000), "ar-_w", "pl-" + Guid.Empty.ToString("N"), "../../etc/passwd", "al-MDA", "al-" + Convert.ToBase64String([0xFF, 0xFE]).TrimEnd('=') })
        {
            foreach (string method in new[] { "getSong", "getAlbum", "getArtist", "getCoverArt", "getPlaylist" })
            {
                Assert.Equal(70, await host.ErrorAsync(host.Url(method, "id=" + Uri.EscapeDataString(id))));
            }
        }
    }
}
