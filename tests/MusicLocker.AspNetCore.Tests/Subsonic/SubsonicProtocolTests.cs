using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using MusicLocker.AspNetCore.Subsonic;

namespace MusicLocker.AspNetCore.Tests.Subsonic;

/// <summary>The protocol: formats, routes, version checks, authentication modes and every error code, XML checked against the 1.16.1 schema.</summary>
public sealed class SubsonicProtocolTests
{
    private static readonly XNamespace Ns = SubsonicHost.Ns;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ping_answers_xml_by_default_json_and_jsonp_on_both_routes_and_by_post_form()
    {
        await using var host = await SubsonicHost.StartAsync(upload: false);
        var xml = await host.XmlAsync(host.Url("ping"));
        Assert.Equal("ok", (string?)xml.Attribute("status"));
        Assert.Equal("1.16.1", (string?)xml.Attribute("version"));
        Assert.Equal("true", (string?)xml.Attribute("openSubsonic"));
        Assert.Equal("musiclocker", (string?)xml.Attribute("type"));
        Assert.False(string.IsNullOrEmpty((string?)xml.Attribute("serverVersion")));
        await host.XmlAsync(host.Url("ping.view"));

        var json = await JsonAsync(host, host.Url("ping", "f=json"));
        Assert.Equal("ok", json.GetProperty("status").GetString());
        Assert.Equal("1.16.1", json.GetProperty("version").GetString());
        Assert.True(json.GetProperty("openSubsonic").GetBoolean());
        Assert.Equal("musiclocker", json.GetProperty("type").GetString());

        string jsonp = await host.Http.GetStringAsync(host.Url("ping", "f=jsonp&callback=cb.done"), Ct);
        Assert.StartsWith("cb.done({\"subsonic-response\":", jsonp);
        Assert.EndsWith(");", jsonp);

        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["c"] = "tests", ["v"] = "1.16.1", ["apiKey"] = host.AnnKey, ["f"] = "json" });
        using var posted = await host.Http.PostAsync(new Uri(host.BaseAddress, "rest/ping.view"), form, Ct);
        using var doc = JsonDocument.Parse(await posted.Content.ReadAsStringAsync(Ct));
        Assert.Equal("ok", doc.RootElement.GetProperty("subsonic-response").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Jsonp_refuses_a_callback_that_is_not_a_name()
    {
        await using var host = await SubsonicHost.StartAsync(upload: false);
        string body = await host.Http.GetStringAsync(host.Url("ping", "f=jsonp&callback=" + Uri.EscapeDataString("alert(1);x")), Ct);
        Assert.DoesNotContain("alert", body);
        using var doc = JsonDocument.Parse(body);
        Assert.Equal(0, doc.RootElement.GetProperty("subsonic-response").GetProperty("error").GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Every_error_code_is_provoked_and_answered_in_schema()
    {
        await using var host = await SubsonicHost.StartAsync(o => { }, upload: false);
        string ann = host.AnnKey;
        Assert.Equal(10, await host.ErrorAsync(host.RawUrl("ping", "c=t&apiKey=" + ann)));                              // no v
        Assert.Equal(10, await host.ErrorAsync(host.RawUrl("ping", "v=1.16.1&c=t")));                                    // no credentials
        Assert.Equal(10, await host.ErrorAsync(host.Url("getSong")));                                                    // no id
        Assert.Equal(20, await host.ErrorAsync(host.Url("ping", version: "0.9.0")));
        Assert.Equal(30, await host.ErrorAsync(host.Url("ping", version: "1.17.0")));
        Assert.Equal(30, await host.ErrorAsync(host.Url("ping", version: "2.0.0")));
        Assert.Equal(41, await host.ErrorAsync(host.RawUrl("ping", "v=1.16.1&c=t&u=ann&t=abc&s=def")));               // token auth off
        Assert.Equal(42, await host.ErrorAsync(host.RawUrl("ping", "v=1.16.1&c=t&u=ann&p=" + SubsonicHost.AnnPassword))); // password auth off
        Assert.Equal(43, await host.ErrorAsync(host.RawUrl("ping", $"v=1.16.1&c=t&u=ann&apiKey={ann}")));
        Assert.Equal(44, await host.ErrorAsync(host.RawUrl("ping", "v=1.16.1&c=t&apiKey=mlk_not-a-key")));
        Assert.Equal(50, await host.ErrorAsync(host.Url("getUser", "username=bob")));
        Assert.Equal(50, await host.ErrorAsync(host.Url("createUser", "username=eve&password=x&email=e@x")));
        Assert.Equal(70, await host.ErrorAsync(host.Url("getSong", "id=tr-" + Guid.NewGuid().ToString("N"))));
        Assert.Equal(70, await host.ErrorAsync(host.Url("getAlbum", "id=garbage")));
        Assert.Equal(0, await host.ErrorAsync(host.Url("getAlbumList2", "type=sideways")));

        using var unknown = await host.Http.GetAsync(host.Url("noSuchMethod"), Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        // A revoked key stops working.
        var issued = await host.Locker.ForUser("ann").Access.IssueApiKeyAsync("to revoke", Ct);
        Assert.Equal("ok", (string?)(await host.XmlAsync(host.Url("ping", key: issued.Secret))).Attribute("status"));
        Assert.True(await host.Locker.ForUser("ann").Access.RevokeApiKeyAsync(issued.Key.Id, Ct));
        Assert.Equal(44, await host.ErrorAsync(host.Url("ping", key: issued.Secret)));
    }

    [Fact]
    public async Task Legacy_password_and_token_auth_work_only_when_enabled_and_check_the_app_password()
    {
        await using var host = await SubsonicHost.StartAsync(o => { o.EnablePasswordAuth = true; o.EnableTokenAuth = true; }, upload: false);
        string hex = Convert.ToHexStringLower(Encoding.UTF8.GetBytes(SubsonicHost.AnnPassword));
        Assert.Equal("ok", (string?)(await host.XmlAsync(host.RawUrl("ping", "v=1.16.1&c=t&u=ann&p=" + SubsonicHost.AnnPassword))).Attribute("status"));
        Assert.Equal("ok", (string?)(await host.XmlAsync(host.RawUrl("ping", "v=1.16.1&c=t&u=ann&p=enc:" + hex))).Attribute("status"));
        string salt = "c19b2d";
        string token = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(SubsonicHost.AnnPassword + salt)));
        Assert.Equal("ok", (string?)(await host.XmlAsync(host.RawUrl("ping", $"v=1.16.1&c=t&u=ann&t={token}&s={salt}"))).Attribute("status"));

        Assert.Equal(40, await host.ErrorAsync(host.RawUrl("ping", "v=1.16.1&c=t&u=ann&p=wrong-password")));
        Assert.Equal(40, await host.ErrorAsync(host.RawUrl("ping", $"v=1.16.1&c=t&u=ann&t={token}&s=othersalt")));
        Assert.Equal(40, await host.ErrorAsync(host.RawUrl("ping", "v=1.16.1&c=t&u=bob&p=" + SubsonicHost.AnnPassword))); // ann's password is not bob's
        Assert.Equal(40, await host.ErrorAsync(host.RawUrl("ping", "v=1.16.1&c=t&u=nobody&p=whatever")));
        Assert.Equal(43, await host.ErrorAsync(host.RawUrl("ping", $"v=1.16.1&c=t&u=ann&p=x&t={token}&s={salt}")));

        // Clearing the app password ends password and token sign-in.
        Assert.True(await host.Locker.ForUser("ann").Access.ClearAppPasswordAsync(Ct));
        Assert.Equal(40, await host.ErrorAsync(host.RawUrl("ping", "v=1.16.1&c=t&u=ann&p=" + SubsonicHost.AnnPassword)));
    }

    [Fact]
    public async Task Failed_attempts_are_limited_per_user_until_the_window_passes()
    {
        await using var host = await SubsonicHost.StartAsync(o => { o.EnablePasswordAuth = true; o.MaxFailedAttempts = 3; o.FailureWindow = TimeSpan.FromMinutes(1); }, upload: false);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(40, await host.ErrorAsync(host.RawUrl("ping", "v=1.16.1&c=t&u=ann&p=guess" + i)));
        }

        // Now even the right password is refused, with 429 and Retry-After, without being checked.
        using (var refused = await host.Http.GetAsync(host.RawUrl("ping", "v=1.16.1&c=t&u=ann&p=" + SubsonicHost.AnnPassword), Ct))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter);
            Assert.Contains("code=\"40\"", await refused.Content.ReadAsStringAsync(Ct));
        }

        host.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal("ok", (string?)(await host.XmlAsync(host.RawUrl("ping", "v=1.16.1&c=t&u=ann&p=" + SubsonicHost.AnnPassword))).Attribute("status"));
    }

    [Fact]
    public async Task Open_subsonic_extensions_are_public_and_declare_what_is_implemented()
    {
        await using var host = await SubsonicHost.StartAsync(upload: false);
        var xml = await host.XmlAsync(host.RawUrl("getOpenSubsonicExtensions", "v=1.16.1&c=t"));
        var names = xml.Elements(Ns + "openSubsonicExtensions").Select(e => (string?)e.Attribute("name")).ToList();
        Assert.Equal(["apiKeyAuthentication", "formPost", "transcodeOffset"], names);
        var json = await JsonAsync(host, host.RawUrl("getOpenSubsonicExtensions", "v=1.16.1&c=t&f=json"));
        var first = json.GetProperty("openSubsonicExtensions")[0];
        Assert.Equal("apiKeyAuthentication", first.GetProperty("name").GetString());
        Assert.Equal(1, first.GetProperty("versions")[0].GetInt32());
    }

    [Fact]
    public async Task Browsing_answers_validate_and_carry_the_fields_players_rely_on()
    {
        await using var host = await SubsonicHost.StartAsync();
        foreach (string method in new[] { "getLicense", "getMusicFolders", "getIndexes", "getArtists", "getGenres", "getRandomSongs", "getStarred2", "getPlaylists", "search3" })
        {
            await host.XmlAsync(host.Url(method));
        }

        await host.XmlAsync(host.Url("getUser", "username=ann"));
        foreach (string type in new[] { "alphabeticalByName", "alphabeticalByArtist", "newest", "random", "frequent", "recent", "starred", "highest" })
        {
            var list = await host.XmlAsync(host.Url("getAlbumList2", "type=" + type));
            Assert.NotNull(list.Element(Ns + "albumList2"));
        }

        var byYear = await host.XmlAsync(host.Url("getAlbumList2", "type=byYear&fromYear=1900&toYear=2100"));
        var byGenre = await host.XmlAsync(host.Url("getAlbumList2", "type=byGenre&genre=rock"));
        Assert.Equal(10, await host.ErrorAsync(host.Url("getAlbumList2", "type=byGenre")));
        Assert.Equal(10, await host.ErrorAsync(host.Url("getAlbumList2", "type=byYear&fromYear=1")));
        Assert.All(byGenre.Descendants(Ns + "album"), a => Assert.Equal("Rock", (string?)a.Attribute("genre"), ignoreCase: true));

        var artists = await host.XmlAsync(host.Url("getArtists"));
        var artist = artists.Descendants(Ns + "artist").SingleOrDefault(a => (string?)a.Attribute("name") == "Test Artist");
        Assert.True(artist is not null, artists.ToString());
        var albums = await host.XmlAsync(host.Url("getArtist", "id=" + (string?)artist.Attribute("id")));
        var album = albums.Descendants(Ns + "album").Single();
        Assert.Equal("Fixture Album", (string?)album.Attribute("name"));

        var withSongs = await host.XmlAsync(host.Url("getAlbum", "id=" + (string?)album.Attribute("id")));
        var song = withSongs.Descendants(Ns + "song").Single();
        var original = await File.ReadAllBytesAsync(SubsonicHost.FixturePath("mp3/id3v23-full.mp3"), Ct);
        Assert.Equal("Héllo Wörld", (string?)song.Attribute("title"));
        Assert.Equal(original.Length, (long)song.Attribute("size")!);
        Assert.Equal("audio/mpeg", (string?)song.Attribute("contentType"));
        Assert.Equal("mp3", (string?)song.Attribute("suffix"));
        Assert.Equal(3, (int)song.Attribute("duration")!); // 2.5 s rounds away from zero
        Assert.True((int)song.Attribute("bitRate")! > 0);
        Assert.Equal((string?)album.Attribute("id"), (string?)song.Attribute("albumId"));

        var json = await JsonAsync(host, host.Url("getSong", "f=json&id=" + (string?)song.Attribute("id")));
        var s = json.GetProperty("song");
        Assert.Equal("Héllo Wörld", s.GetProperty("title").GetString());
        Assert.Equal(original.Length, s.GetProperty("size").GetInt64());
        Assert.Equal(3, s.GetProperty("duration").GetInt32());
        Assert.False(s.GetProperty("isDir").GetBoolean());
        Assert.Equal("music", s.GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.String, s.GetProperty("created").ValueKind);
        Assert.Equal(0, s.GetProperty("playCount").GetInt64());
        Assert.False(s.TryGetProperty("starred", out _));

        var genres = await JsonAsync(host, host.Url("getGenres", "f=json"));
        var rock = genres.GetProperty("genres").GetProperty("genre").EnumerateArray().Single(g => g.GetProperty("value").GetString() == "Rock");
        Assert.Equal(1, rock.GetProperty("songCount").GetInt32());
        Assert.Equal(1, rock.GetProperty("albumCount").GetInt32());
    }

    [Fact]
    public async Task Star_rating_scrobble_and_playlists_round_trip_and_scrobble_honours_history_off()
    {
        await using var host = await SubsonicHost.StartAsync();
        string song = "tr-" + host.Ann["mp3/big-cover.mp3"].ToString("N");
        await host.XmlAsync(host.Url("star", "id=" + song));
        await host.XmlAsync(host.Url("setRating", $"id={song}&rating=4"));
        var starred = await host.XmlAsync(host.Url("getStarred2"));
        var s = starred.Descendants(Ns + "song").Single();
        Assert.Equal(song, (string?)s.Attribute("id"));
        Assert.Equal(4, (int)s.Attribute("userRating")!);
        Assert.Equal(0, await host.ErrorAsync(host.Url("setRating", $"id={song}&rating=6")));
        await host.XmlAsync(host.Url("unstar", "id=" + song));
        Assert.Empty((await host.XmlAsync(host.Url("getStarred2"))).Descendants(Ns + "song"));

        // Scrobble → history and play counts; with history off nothing is kept and the answer is still ok.
        await host.XmlAsync(host.Url("scrobble", $"id={song}&submission=true"));
        await host.XmlAsync(host.Url("scrobble", $"id={song}&submission=false"));
        Assert.Single(await host.Locker.ForUser("ann").History.GetRecentlyPlayedAsync(cancellationToken: Ct));
        var frequent = await host.XmlAsync(host.Url("getAlbumList2", "type=frequent"));
        Assert.Equal("After The Picture", (string?)frequent.Descendants(Ns + "album").Single().Attribute("name"));
        await host.Locker.ForUser("ann").History.SetEnabledAsync(false, Ct);
        await host.XmlAsync(host.Url("scrobble", "id=" + song));
        Assert.Empty(await host.Locker.ForUser("ann").History.GetRecentlyPlayedAsync(cancellationToken: Ct));

        // Playlists: create with songs, update (rename, add, remove by index), read, delete.
        string other = "tr-" + host.Ann["mp3/id3v24-frame-unsync-footer.mp3"].ToString("N");
        var created = await host.XmlAsync(host.Url("createPlaylist", $"name=Road&songId={song}&songId={other}"));
        var playlist = created.Element(Ns + "playlist")!;
        string id = (string)playlist.Attribute("id")!;
        Assert.Equal(2, (int)playlist.Attribute("songCount")!);
        await host.XmlAsync(host.Url("updatePlaylist", $"playlistId={id}&name=Trip&songIndexToRemove=0&songIdToAdd={song}"));
        var read = (await host.XmlAsync(host.Url("getPlaylist", "id=" + id))).Element(Ns + "playlist")!;
        Assert.Equal("Trip", (string?)read.Attribute("name"));
        Assert.Equal([other, song], read.Elements(Ns + "entry").Select(e => (string)e.Attribute("id")!));
        Assert.Single((await host.XmlAsync(host.Url("getPlaylists"))).Descendants(Ns + "playlist"));
        await host.XmlAsync(host.Url("deletePlaylist", "id=" + id));
        Assert.Equal(70, await host.ErrorAsync(host.Url("getPlaylist", "id=" + id)));
    }

    [Fact]
    public async Task Stream_serves_the_original_with_ranges_and_time_offset_and_cover_art_is_the_embedded_picture()
    {
        await using var host = await SubsonicHost.StartAsync();
        var trackId = host.Ann["mp3/big-cover.mp3"];
        string song = "tr-" + trackId.ToString("N");
        var original = await File.ReadAllBytesAsync(SubsonicHost.FixturePath("mp3/big-cover.mp3"), Ct);
        Assert.Equal(original, await host.Http.GetByteArrayAsync(host.Url("stream", "id=" + song + "&maxBitRate=64&format=opus"), Ct));
        Assert.Equal(original, await host.Http.GetByteArrayAsync(host.Url("download", "id=" + song), Ct));

        using var ranged = new HttpRequestMessage(HttpMethod.Get, host.Url("stream", "id=" + song));
        ranged.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(1000, 1999);
        using var partial = await host.Http.SendAsync(ranged, Ct);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(original.AsSpan(1000, 1000).ToArray(), await partial.Content.ReadAsByteArrayAsync(Ct));

        // timeOffset starts at the frame holding that time: a suffix of the original that is an MP3 frame start.
        byte[] seeked = await host.Http.GetByteArrayAsync(host.Url("stream", "id=" + song + "&timeOffset=1"), Ct);
        Assert.InRange(seeked.Length, 1, original.Length - 1);
        Assert.Equal(original.AsSpan(original.Length - seeked.Length).ToArray(), seeked);
        Assert.Equal(0xFF, seeked[0]);
        Assert.Equal(0xE0, seeked[1] & 0xE0);
        foreach (string hostile in new[] { "NaN", "-1", "1e309", "5%00", "86401", "1%2C5" })
        {
            Assert.Equal(0, await host.ErrorAsync(host.Url("stream", "id=" + song + "&timeOffset=" + hostile))); // a Subsonic error, not a stream
        }

        using var cover = await host.Locker.ForUser("ann").Downloads.OpenCoverArtAsync(trackId, Ct);
        using var expected = new MemoryStream();
        await cover.Content.CopyToAsync(expected, Ct);
        using var answer = await host.Http.GetAsync(host.Url("getCoverArt", "id=" + song + "&size=300"), Ct);
        Assert.Equal(cover.MimeType, answer.Content.Headers.ContentType?.MediaType);
        Assert.Equal(expected.ToArray(), await answer.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(70, await host.ErrorAsync(host.Url("stream", "id=tr-" + Guid.NewGuid().ToString("N"))));
    }

    private static async Task<JsonElement> JsonAsync(SubsonicHost host, Uri url)
    {
        using var response = await host.Http.GetAsync(url, Ct);
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.ToString());
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        return doc.RootElement.GetProperty("subsonic-response").Clone();
    }
}
