using System.Net;
using System.Text.Json;
using MusicLocker.AspNetCore.Tests.Support;
using static MusicLocker.AspNetCore.Tests.Support.Http;

namespace MusicLocker.AspNetCore.Tests;

/// <summary>Every status code of the stream and download endpoints (RFC 9110), on an encrypted in-memory locker.</summary>
public sealed class StatusCodeTests : IAsyncLifetime
{
    private LockerHost _host = null!;
    private Guid _mp3;
    private byte[] _file = [];

    public async ValueTask InitializeAsync()
    {
        _host = await LockerHost.StartAsync(Backend.InMemory, encrypt: true);
        (_mp3, _file) = await _host.UploadAsync("mp3/id3v23-full.mp3");
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task A_plain_GET_is_200_with_every_header_and_the_whole_file()
    {
        using var client = _host.Client();
        using var response = await client.SendAsync(Get(Stream(_mp3)), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("bytes", Header(response, "Accept-Ranges"));
        Assert.Equal("audio/mpeg", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(_file.Length, response.Content.Headers.ContentLength);
        Assert.NotNull(response.Headers.ETag);
        Assert.False(response.Headers.ETag!.IsWeak);
        Assert.NotNull(response.Content.Headers.LastModified);
        Assert.Null(response.Content.Headers.ContentRange);
        Assert.Equal(_file, await response.Content.ReadAsByteArrayAsync(Ct));
    }

    [Fact]
    public async Task A_range_is_206_with_Content_Range_and_an_unsatisfiable_one_416_with_the_length()
    {
        using var client = _host.Client();
        using (var response = await client.SendAsync(Get(Stream(_mp3), "bytes=10-19"), Ct))
        {
            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            Assert.Equal($"bytes 10-19/{_file.Length}", Header(response, "Content-Range"));
            Assert.Equal(10, response.Content.Headers.ContentLength);
            Assert.Equal(_file[10..20], await response.Content.ReadAsByteArrayAsync(Ct));
        }

        using (var response = await client.SendAsync(Get(Stream(_mp3), $"bytes={_file.Length}-"), Ct))
        {
            Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
            Assert.Equal($"bytes */{_file.Length}", Header(response, "Content-Range"));
            Assert.Equal(0, response.Content.Headers.ContentLength);
        }

        // the last byte, and a suffix longer than the file
        using (var response = await client.SendAsync(Get(Stream(_mp3), $"bytes={_file.Length - 1}-{_file.Length + 50}"), Ct))
        {
            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            Assert.Equal(_file[^1..], await response.Content.ReadAsByteArrayAsync(Ct));
        }

        using (var response = await client.SendAsync(Get(Stream(_mp3), "bytes=-999999999"), Ct))
        {
            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            Assert.Equal(_file, await response.Content.ReadAsByteArrayAsync(Ct));
        }
    }

    [Fact]
    public async Task Several_ranges_are_coalesced_and_the_first_served_as_one_part()
    {
        using var client = _host.Client();
        using var response = await client.SendAsync(Get(Stream(_mp3), "bytes=500-600, 0-9, 5-20"), Ct);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal($"bytes 0-20/{_file.Length}", Header(response, "Content-Range"));
        Assert.Equal("audio/mpeg", response.Content.Headers.ContentType?.MediaType); // never multipart/byteranges
        Assert.Equal(_file[..21], await response.Content.ReadAsByteArrayAsync(Ct));
    }

    [Fact]
    public async Task HEAD_sends_the_headers_and_no_body()
    {
        using var client = _host.Client();
        long readsBefore = _host.Storage.Reads;
        using var response = await client.SendAsync(Get(Stream(_mp3), "bytes=0-99", HttpMethod.Head), Ct);

        // A Range on HEAD is ignored (RFC 9110 §14.2: only GET has ranges; found by an outside review): the GET's 200 headers.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(_file.Length, response.Content.Headers.ContentLength);
        Assert.Null(response.Content.Headers.ContentRange);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(readsBefore, _host.Storage.Reads); // no byte read from storage
    }

    [Fact]
    public async Task If_None_Match_and_If_Modified_Since_answer_304()
    {
        using var client = _host.Client();
        using var first = await client.SendAsync(Get(Stream(_mp3)), Ct);
        string etag = first.Headers.ETag!.ToString();
        string lastModified = Header(first, "Last-Modified")!;

        foreach (var (name, value) in new[] { ("If-None-Match", etag), ("If-None-Match", "\"other\", " + etag), ("If-None-Match", "*"), ("If-None-Match", "W/" + etag), ("If-Modified-Since", lastModified) })
        {
            var request = Get(Stream(_mp3));
            request.Headers.TryAddWithoutValidation(name, value);
            using var response = await client.SendAsync(request, Ct);
            Assert.True(response.StatusCode == HttpStatusCode.NotModified, $"{name}: {value} → {(int)response.StatusCode}");
            Assert.Equal(etag, response.Headers.ETag?.ToString());
            Assert.Empty(await response.Content.ReadAsByteArrayAsync(Ct));
        }

        var other = Get(Stream(_mp3));
        other.Headers.TryAddWithoutValidation("If-None-Match", "\"not-it\"");
        other.Headers.TryAddWithoutValidation("If-Modified-Since", lastModified); // ignored beside If-None-Match
        using var changed = await client.SendAsync(other, Ct);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
    }

    [Fact]
    public async Task If_Match_and_If_Unmodified_Since_that_fail_are_412_before_any_range_or_304()
    {
        // Found by an outside test: both were ignored (200 with the whole file); RFC 9110 §13.2.2 evaluates them first.
        using var client = _host.Client();
        using var first = await client.SendAsync(Get(Stream(_mp3)), Ct);
        string etag = first.Headers.ETag!.ToString();
        var lastModified = first.Content.Headers.LastModified!.Value;
        string before = (lastModified - TimeSpan.FromDays(1)).ToString("r", System.Globalization.CultureInfo.InvariantCulture);
        string after = (lastModified + TimeSpan.FromDays(1)).ToString("r", System.Globalization.CultureInfo.InvariantCulture);

        (string Name, string Value, string? Also, HttpStatusCode Expected)[] cases =
        [
            ("If-Match", "\"nope\"", null, HttpStatusCode.PreconditionFailed),
            ("If-Match", "W/" + etag, null, HttpStatusCode.PreconditionFailed), // strong comparison: a weak tag never matches
            ("If-Match", etag, null, HttpStatusCode.PartialContent),
            ("If-Match", "\"nope\", " + etag, null, HttpStatusCode.PartialContent),
            ("If-Match", "*", null, HttpStatusCode.PartialContent),
            ("If-Unmodified-Since", before, null, HttpStatusCode.PreconditionFailed),
            ("If-Unmodified-Since", after, null, HttpStatusCode.PartialContent),
            ("If-Unmodified-Since", "not a date", null, HttpStatusCode.PartialContent), // ignored (§13.1.4)
            ("If-Match", etag, "If-Unmodified-Since", HttpStatusCode.PartialContent), // If-Unmodified-Since is ignored beside If-Match
            ("If-Match", "\"nope\"", "If-None-Match", HttpStatusCode.PreconditionFailed), // 412 before 304
        ];
        foreach (var (name, value, also, expected) in cases)
        {
            var request = Get(Stream(_mp3), "bytes=5-9");
            request.Headers.TryAddWithoutValidation(name, value);
            if (also is not null)
            {
                request.Headers.TryAddWithoutValidation(also, also == "If-None-Match" ? etag : before);
            }

            using var response = await client.SendAsync(request, Ct);
            Assert.True(expected == response.StatusCode, $"{name}: {value} (+{also}) → {(int)response.StatusCode}");
            if (expected == HttpStatusCode.PreconditionFailed)
            {
                Assert.Equal("no-store", Header(response, "Cache-Control")); // a 412 is not stored (review)
            }

            Assert.Equal(expected == HttpStatusCode.PartialContent ? _file[5..10] : [], await response.Content.ReadAsByteArrayAsync(Ct));
        }

        // A time seek is its own representation: If-Match takes its ETag, not the file's.
        using var seek = await client.SendAsync(Get(Stream(_mp3) + "?t=1"), Ct);
        var seekMatch = Get(Stream(_mp3) + "?t=1");
        seekMatch.Headers.TryAddWithoutValidation("If-Match", etag);
        using (var refused = await client.SendAsync(seekMatch, Ct))
        {
            Assert.Equal(HttpStatusCode.PreconditionFailed, refused.StatusCode);
        }

        seekMatch = Get(Stream(_mp3) + "?t=1");
        seekMatch.Headers.TryAddWithoutValidation("If-Match", seek.Headers.ETag!.ToString());
        using (var served = await client.SendAsync(seekMatch, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        }
    }

    [Fact]
    public async Task The_obsolete_HTTP_date_forms_are_read_like_the_preferred_one()
    {
        // Found by an outside test: RFC 850 and asctime dates (which a recipient MUST accept, RFC 9110 §5.6.7) were taken as
        // no match: If-Range sent the whole file, If-Modified-Since sent it again.
        using var client = _host.Client();
        using var first = await client.SendAsync(Get(Stream(_mp3)), Ct);
        var lastModified = first.Content.Headers.LastModified!.Value.ToUniversalTime();
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        string[] forms =
        [
            lastModified.ToString("r", invariant),
            lastModified.ToString("dddd, dd'-'MMM'-'yy HH':'mm':'ss 'GMT'", invariant),
            lastModified.ToString("ddd MMM ", invariant) + lastModified.Day.ToString(invariant).PadLeft(2) + lastModified.ToString(" HH':'mm':'ss yyyy", invariant),
        ];
        foreach (string date in forms)
        {
            var ranged = Get(Stream(_mp3), "bytes=5-9");
            ranged.Headers.TryAddWithoutValidation("If-Range", date);
            using (var response = await client.SendAsync(ranged, Ct))
            {
                Assert.True(response.StatusCode == HttpStatusCode.PartialContent, $"If-Range: {date} → {(int)response.StatusCode}");
            }

            var since = Get(Stream(_mp3));
            since.Headers.TryAddWithoutValidation("If-Modified-Since", date);
            using (var response = await client.SendAsync(since, Ct))
            {
                Assert.True(response.StatusCode == HttpStatusCode.NotModified, $"If-Modified-Since: {date} → {(int)response.StatusCode}");
            }
        }

        Assert.True(MusicLocker.Streaming.HttpDate.TryParse("Sun Nov  6 08:49:37 1994", out var asctime));
        Assert.Equal(new DateTimeOffset(1994, 11, 6, 8, 49, 37, TimeSpan.Zero), asctime);
        Assert.True(MusicLocker.Streaming.HttpDate.TryParse("Sunday, 06-Nov-94 08:49:37 GMT", out var rfc850));
        Assert.Equal(asctime, rfc850);
        Assert.False(MusicLocker.Streaming.HttpDate.TryParse("06 Nov 1994", out _));

        // Review: a wrong day name does not void the date; a two-digit year is at most 50 years ahead (RFC 9110 §5.6.7).
        Assert.True(MusicLocker.Streaming.HttpDate.TryParse("Mon, 06 Nov 1994 08:49:37 GMT", out var misnamed));
        Assert.Equal(asctime, misnamed);
        Assert.True(MusicLocker.Streaming.HttpDate.TryParse("Wednesday, 01-Jan-70 00:00:00 GMT", out var seventy));
        Assert.Equal(DateTime.UtcNow.Year + 50 >= 2070 ? 2070 : 1970, seventy.Year);
        Assert.False(MusicLocker.Streaming.HttpDate.TryParse("1, 06 Nov 1994 08:49:37 GMT", out _));
        Assert.False(MusicLocker.Streaming.HttpDate.TryParse("", out _));
    }

    [Fact]
    public async Task If_Range_with_the_ETag_or_the_date_keeps_the_range_and_a_stale_one_sends_everything()
    {
        using var client = _host.Client();
        using var first = await client.SendAsync(Get(Stream(_mp3)), Ct);
        string etag = first.Headers.ETag!.ToString();
        string lastModified = Header(first, "Last-Modified")!;

        foreach (var (ifRange, expected) in new[] { (etag, HttpStatusCode.PartialContent), (lastModified, HttpStatusCode.PartialContent), ("\"stale\"", HttpStatusCode.OK), ("W/" + etag, HttpStatusCode.OK), ("Mon, 01 Jan 2001 00:00:00 GMT", HttpStatusCode.OK) })
        {
            var request = Get(Stream(_mp3), "bytes=5-9");
            request.Headers.TryAddWithoutValidation("If-Range", ifRange);
            using var response = await client.SendAsync(request, Ct);
            Assert.True(expected == response.StatusCode, $"If-Range {ifRange} → {(int)response.StatusCode}");
            Assert.Equal(expected == HttpStatusCode.OK ? _file : _file[5..10], await response.Content.ReadAsByteArrayAsync(Ct));
        }
    }

    [Fact]
    public async Task Unknown_anonymous_and_other_users_tracks_are_401_or_404_with_a_JSON_error()
    {
        using (var anonymous = _host.Client(user: null))
        using (var response = await anonymous.SendAsync(Get(Stream(_mp3)), Ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using var bob = _host.Client("bob");
        using (var response = await bob.SendAsync(Get(Stream(_mp3)), Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("TrackNotFound", await ErrorOf(response));
        }

        using var ann = _host.Client();
        using (var response = await ann.SendAsync(Get(Stream(Guid.NewGuid())), Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("TrackNotFound", await ErrorOf(response));
        }

        using (var response = await ann.SendAsync(Get($"{LockerHost.Prefix}/tracks/not-a-guid/stream"), Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
    }

    [Theory]
    [InlineData("aac/lc-44k-stereo.aac", "audio/aac")]
    [InlineData("m4a/faststart-tagged.m4a", "audio/mp4")]
    [InlineData("mp3/vbr-xing-lame.mp3", "audio/mpeg")]
    public async Task Content_Type_follows_the_container(string fixture, string mime)
    {
        var (id, file) = await _host.UploadAsync(fixture);
        using var client = _host.Client();
        using var response = await client.SendAsync(Get(Stream(id)), Ct);
        Assert.Equal(mime, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(file, await response.Content.ReadAsByteArrayAsync(Ct));
    }

    [Fact]
    public async Task Download_is_an_attachment_named_after_the_tags()
    {
        using var client = _host.Client();
        using var response = await client.SendAsync(Get($"{LockerHost.Prefix}/tracks/{_mp3:D}/download"), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var disposition = response.Content.Headers.ContentDisposition!;
        Assert.Equal("attachment", disposition.DispositionType);
        var track = await _host.Locker.ForUser("ann").Tracks.GetAsync(_mp3, Ct);
        Assert.Equal($"{track.Tags.Artist} - {track.Tags.Title}.mp3", disposition.FileNameStar);
        Assert.Equal(_file, await response.Content.ReadAsByteArrayAsync(Ct));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("abc")]
    [InlineData("1e9")]
    [InlineData("1e309")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-0")]
    [InlineData("%2B1")]
    [InlineData("")]
    [InlineData("86401")]
    [InlineData("5%00")] // decimal.TryParse alone takes trailing NULs
    [InlineData("1%2C5")]
    [InlineData("1&t=2")] // two values
    public async Task A_bad_time_is_400(string t)
    {
        using var client = _host.Client();
        using var response = await client.SendAsync(Get(Stream(_mp3) + "?t=" + t), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("InvalidArgument", await ErrorOf(response));
    }

    [Fact]
    public async Task A_time_seek_into_an_MP4_is_400_since_players_seek_it_by_bytes()
    {
        var (id, _) = await _host.UploadAsync("m4a/faststart-tagged.m4a");
        using var client = _host.Client();
        using var response = await client.SendAsync(Get(Stream(id) + "?t=1"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("InvalidArgument", await ErrorOf(response));
    }

    [Fact]
    public async Task Cover_art_is_served_with_its_MIME_type()
    {
        var (id, _) = await _host.UploadAsync("mp3/big-cover.mp3");
        using var client = _host.Client();
        using var response = await client.SendAsync(Get($"{LockerHost.Prefix}/tracks/{id:D}/cover"), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var cover = await _host.Locker.ForUser("ann").Downloads.OpenCoverArtAsync(id, Ct);
        Assert.Equal(cover.MimeType, response.Content.Headers.ContentType?.MediaType);
        using var expected = new MemoryStream();
        await cover.Content.CopyToAsync(expected, Ct);
        Assert.Equal(expected.ToArray(), await response.Content.ReadAsByteArrayAsync(Ct));

        // Revalidation (an outside test found covers had no validator): an ETag, 304 on a match, HEAD without a body.
        string? etag = response.Headers.ETag?.Tag;
        Assert.NotNull(etag);
        var revalidate = Get($"{LockerHost.Prefix}/tracks/{id:D}/cover");
        revalidate.Headers.TryAddWithoutValidation("If-None-Match", etag);
        using (var notModified = await client.SendAsync(revalidate, Ct))
        {
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
            Assert.Empty(await notModified.Content.ReadAsByteArrayAsync(Ct));
        }

        // No Last-Modified is sent, so If-Modified-Since (even the last representable date) is ignored.
        var since = Get($"{LockerHost.Prefix}/tracks/{id:D}/cover");
        since.Headers.TryAddWithoutValidation("If-Modified-Since", "Fri, 31 Dec 9999 23:59:59 GMT");
        using (var modified = await client.SendAsync(since, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, modified.StatusCode);
        }

        using (var head = await client.SendAsync(Get($"{LockerHost.Prefix}/tracks/{id:D}/cover", method: HttpMethod.Head), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(etag, head.Headers.ETag?.Tag);
            Assert.Equal(expected.Length, head.Content.Headers.ContentLength);
            Assert.Empty(await head.Content.ReadAsByteArrayAsync(Ct));
        }

        using var none = await client.SendAsync(Get($"{LockerHost.Prefix}/tracks/{_mp3:D}/cover"), Ct);
        if (none.StatusCode != HttpStatusCode.OK)
        {
            Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
            Assert.Equal("CoverArtNotFound", await ErrorOf(none));
        }
    }

    [Fact]
    public async Task A_time_seek_has_its_own_ETag_and_ranges_apply_inside_it()
    {
        using var client = _host.Client();
        using var whole = await client.SendAsync(Get(Stream(_mp3)), Ct);
        using var seek = await client.SendAsync(Get(Stream(_mp3) + "?t=0.3"), Ct);
        Assert.Equal(HttpStatusCode.OK, seek.StatusCode);
        Assert.NotEqual(whole.Headers.ETag, seek.Headers.ETag);
        byte[] body = await seek.Content.ReadAsByteArrayAsync(Ct);
        int start = _file.Length - body.Length;
        Assert.True(start > 0);
        Assert.Equal(_file[start..], body);

        var ranged = Get(Stream(_mp3) + "?t=0.3", "bytes=2-5");
        ranged.Headers.TryAddWithoutValidation("If-Range", seek.Headers.ETag!.ToString());
        using var part = await client.SendAsync(ranged, Ct);
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal($"bytes 2-5/{body.Length}", Header(part, "Content-Range"));
        Assert.Equal(_file[(start + 2)..(start + 6)], await part.Content.ReadAsByteArrayAsync(Ct));
    }

    [Fact]
    public async Task Catalog_JSON_pages_with_cursors()
    {
        foreach (string f in new[] { "mp3/cbr-info-lame.mp3", "mp3/vbr-xing-lame.mp3", "aac/lc-44k-stereo.aac" })
        {
            await _host.UploadAsync(f);
        }

        using var client = _host.Client();
        var seen = new HashSet<string>();
        string? cursor = null;
        int pages = 0;
        do
        {
            using var response = await client.GetAsync($"{LockerHost.Prefix}/tracks?pageSize=2" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)), Ct);
            using var json = await JsonOf(response);
            foreach (var item in json.RootElement.GetProperty("items").EnumerateArray())
            {
                Assert.True(seen.Add(item.GetProperty("id").GetString()!));
            }

            cursor = json.RootElement.GetProperty("nextCursor").ValueKind == JsonValueKind.Null ? null : json.RootElement.GetProperty("nextCursor").GetString();
            pages++;
        }
        while (cursor is not null);
        int catalogued = 0;
        await foreach (var _ in _host.Locker.ForUser("ann").Tracks.ListAsync(cancellationToken: Ct))
        {
            catalogued++;
        }

        Assert.Equal(catalogued, seen.Count);
        Assert.True(seen.Count >= 3);
        Assert.True(pages >= 2);

        await _host.Locker.ForUser("ann").Playlists.CreateAsync("one", Ct);
        await _host.Locker.ForUser("ann").Playlists.CreateAsync("two", Ct);
        using (var playlists = await client.GetAsync($"{LockerHost.Prefix}/playlists?pageSize=1", Ct))
        using (var json = await JsonOf(playlists))
        {
            string next = json.RootElement.GetProperty("nextCursor").GetString()!;
            using var second = await JsonOf(await client.GetAsync($"{LockerHost.Prefix}/playlists?pageSize=1&cursor={next}", Ct));
            Assert.NotEqual(json.RootElement.GetProperty("items")[0].GetProperty("id").GetString(), second.RootElement.GetProperty("items")[0].GetProperty("id").GetString());
            Assert.Equal(JsonValueKind.Null, second.RootElement.GetProperty("nextCursor").ValueKind);
            using var wrongListing = await client.GetAsync($"{LockerHost.Prefix}/albums?pageSize=1&cursor={next}", Ct);
            Assert.Equal(HttpStatusCode.BadRequest, wrongListing.StatusCode);
            Assert.Equal("InvalidCursor", await ErrorOf(wrongListing));
        }

        using (var bad = await client.GetAsync($"{LockerHost.Prefix}/tracks?cursor=garbage", Ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Equal("InvalidCursor", await ErrorOf(bad));
        }

        using (var bad = await client.GetAsync($"{LockerHost.Prefix}/tracks?pageSize=0", Ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        }

        using var bob = _host.Client("bob");
        using var empty = await bob.GetAsync($"{LockerHost.Prefix}/tracks", Ct);
        using var bobs = await JsonOf(empty);
        Assert.Equal(0, bobs.RootElement.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Playlists_list_and_show_their_entries()
    {
        var ann = _host.Locker.ForUser("ann");
        var playlist = await ann.Playlists.CreateAsync("road", Ct);
        await ann.Playlists.AddTracksAsync(playlist.Id, [_mp3], cancellationToken: Ct);
        using var client = _host.Client();
        using (var list = await JsonOf(await client.GetAsync($"{LockerHost.Prefix}/playlists", Ct)))
        {
            Assert.Equal("road", list.RootElement.GetProperty("items")[0].GetProperty("name").GetString());
        }

        using var one = await JsonOf(await client.GetAsync($"{LockerHost.Prefix}/playlists/{playlist.Id:D}", Ct));
        Assert.Equal(_mp3.ToString("D"), one.RootElement.GetProperty("entries")[0].GetProperty("track").GetProperty("id").GetString());
        using var bob = _host.Client("bob");
        using var refused = await bob.GetAsync($"{LockerHost.Prefix}/playlists/{playlist.Id:D}", Ct);
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
    }
}
