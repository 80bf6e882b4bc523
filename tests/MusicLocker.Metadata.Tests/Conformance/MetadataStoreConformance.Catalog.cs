using MusicLocker.Metadata;
using MusicLocker.Metadata.Sql;

namespace MusicLocker.Metadata.Tests.Conformance;

public abstract partial class MetadataStoreConformance
{
    [Fact]
    public async Task A_track_round_trips_every_field()
    {
        var user = await NewUserAsync();
        var added = await Store.Tracks.AddTrackAsync(user, new NewTrack(
            new TrackTags("Déjà Vu", "Beyoncé", "B'Day", "Beyoncé Knowles", "R&B", 2006, 2, 10, 1, 2, "feat. Jay-Z", false),
            TimeSpan.FromMilliseconds(240_123), "aac", 256, 7_654_321, "content-1", "audio-1", false, "users/alice/t1"), null, Ct);
        var read = await Store.Tracks.GetTrackAsync(user, added.Id, Ct);
        Assert.Equal(added, read);
        Assert.Equal("Déjà Vu", read.Tags.Title);
        Assert.Equal("Beyoncé Knowles", read.Tags.AlbumArtist);
        Assert.Equal(2006, read.Tags.Year);
        Assert.Equal(2, read.Tags.TrackNumber);
        Assert.Equal(10, read.Tags.TrackCount);
        Assert.Equal(1, read.Tags.DiscNumber);
        Assert.Equal(2, read.Tags.DiscCount);
        Assert.Equal("feat. Jay-Z", read.Tags.Comment);
        Assert.False(read.Tags.Compilation);
        Assert.Equal(TimeSpan.FromMilliseconds(240_123), read.Duration);
        Assert.Equal("aac", read.Codec);
        Assert.Equal(256, read.BitrateKbps);
        Assert.Equal(7_654_321, read.SizeBytes);
        Assert.Equal("content-1", read.ContentHash);
        Assert.Equal("audio-1", read.AudioHash);
        Assert.Equal("users/alice/t1", read.StorageKey);
        Assert.Equal(Time.GetUtcNow(), read.AddedAt);
        Assert.False(read.IsPurchased);

        var found = await Store.Tracks.FindByContentHashAsync(user, "content-1", Ct);
        Assert.Equal([added.Id], found.Select(t => t.Id));
        var other = await NewUserAsync("bob");
        var error = await Assert.ThrowsAsync<MetadataNotFoundException>(() => Store.Tracks.GetTrackAsync(other, added.Id, Ct));
        Assert.Equal(MetadataEntity.Track, error.Entity);
        Assert.Empty(await Store.Tracks.FindByContentHashAsync(other, "content-1", Ct));
    }

    [Fact]
    public async Task Browsing_by_title_pages_through_every_track_in_order_ignoring_case_and_accents()
    {
        var user = await NewUserAsync();
        string[] titles = ["zebra", "Émile", "apple", "Banana", "éclair", "Echo", "cherry", "Apple", "ángel", "delta", "Zulu", "b-side"];
        foreach (var title in titles)
        {
            await AddAsync(user, Track(title));
        }

        for (int i = 0; i < 30; i++)
        {
            await AddAsync(user, Track($"Filler {i:D2}"));
        }

        await AddAsync(await NewUserAsync("bob"), Track("Apple of bob"));

        var all = await AllPagesAsync(cursor => Store.Tracks.BrowsePageAsync(user, new TrackQuery { PageSize = 5, Cursor = cursor }, Ct));
        Assert.Equal(42, all.Count);
        Assert.Equal(42, all.Select(t => t.Id).Distinct().Count());
        var keys = all.Select(t => CatalogText.Fold(t.Tags.Title)).ToList();
        Assert.Equal(keys.Order(StringComparer.Ordinal), keys);
        var named = Titles(all).Where(titles.Contains).Select(t => t == "Apple" ? "apple" : t).ToList();
        Assert.Equal(["ángel", "apple", "apple", "b-side", "Banana", "cherry", "delta", "Echo", "éclair", "Émile", "zebra", "Zulu"], named);
        Assert.True(Titles(all).IndexOf("Émile") < Titles(all).IndexOf("Filler 00"));
    }

    [Fact]
    public async Task Browsing_by_artist_and_album_orders_by_disc_and_track_and_filters_ignore_case()
    {
        var user = await NewUserAsync();
        await AddAsync(user, Track("Side B opener", "Motörhead", "Ace of Spades", disc: 2, trackNumber: 1));
        await AddAsync(user, Track("Ace of Spades", "Motörhead", "Ace of Spades", disc: 1, trackNumber: 1));
        await AddAsync(user, Track("Love Me Like a Reptile", "Motörhead", "Ace of Spades", disc: 1, trackNumber: 2));
        await AddAsync(user, Track("Overkill", "Motörhead", "Overkill", trackNumber: 1));
        await AddAsync(user, Track("Enter Sandman", "Metallica", "Metallica", trackNumber: 1));
        await AddAsync(user, Track("Guest spot", "Featured Singer", "Ace of Spades", albumArtist: "Motörhead", disc: 1, trackNumber: 3));

        var byArtist = await Store.Tracks.BrowsePageAsync(user, new TrackQuery { Sort = TrackSort.Artist }, Ct);
        Assert.Equal(["Guest spot", "Enter Sandman", "Ace of Spades", "Love Me Like a Reptile", "Side B opener", "Overkill"], Titles(byArtist.Items));
        Assert.Null(byArtist.NextCursor);

        var byAlbum = await AllPagesAsync(c => Store.Tracks.BrowsePageAsync(user, new TrackQuery { Sort = TrackSort.Album, PageSize = 2, Cursor = c }, Ct));
        Assert.Equal(["Enter Sandman", "Ace of Spades", "Love Me Like a Reptile", "Guest spot", "Side B opener", "Overkill"], Titles(byAlbum));

        var motorhead = await Store.Tracks.BrowsePageAsync(user, new TrackQuery { Sort = TrackSort.Album, Artist = "MOTORHEAD" }, Ct);
        Assert.Equal(["Ace of Spades", "Love Me Like a Reptile", "Side B opener", "Overkill"], Titles(motorhead.Items));
        var album = await Store.Tracks.BrowsePageAsync(user, new TrackQuery { Sort = TrackSort.Album, AlbumArtist = "motörhead", Album = "ace of spades" }, Ct);
        Assert.Equal(["Ace of Spades", "Love Me Like a Reptile", "Guest spot", "Side B opener"], Titles(album.Items));
        var genre = await Store.Tracks.BrowsePageAsync(user, new TrackQuery { Genre = "jazz" }, Ct);
        Assert.Empty(genre.Items);
    }

    [Fact]
    public async Task Latest_uploads_are_newest_first_and_page_by_time()
    {
        var user = await NewUserAsync();
        for (int i = 0; i < 12; i++)
        {
            await AddAsync(user, Track($"Upload {i:D2}"));
            if (i % 4 != 0)
            {
                Time.Advance(TimeSpan.FromMinutes(1)); // some share a timestamp: the id breaks the tie
            }
        }

        // Uploads 08 and 09 share a timestamp, so their order is the id's; the rest is fixed by time.
        var latest = await Store.Tracks.GetLatestAsync(user, 4, Ct);
        Assert.Equal(["Upload 11", "Upload 10"], Titles(latest.Take(2)));
        Assert.Equal(["Upload 08", "Upload 09"], Titles(latest.Skip(2)).Order());
        var all = await AllPagesAsync(c => Store.Tracks.BrowsePageAsync(user, new TrackQuery { Sort = TrackSort.RecentlyAdded, PageSize = 5, Cursor = c }, Ct));
        Assert.Equal(12, all.Select(t => t.Id).Distinct().Count());
        for (int i = 1; i < all.Count; i++)
        {
            Assert.True(all[i - 1].AddedAt >= all[i].AddedAt);
        }
    }

    [Fact]
    public async Task Search_ignores_case_and_accents_matches_word_prefixes_and_stays_within_the_user()
    {
        var user = await NewUserAsync();
        await AddAsync(user, Track("Crazy in Love", "Beyoncé", "Dangerously in Love"));
        await AddAsync(user, Track("Ace of Spades", "Motörhead", "Ace of Spades"));
        await AddAsync(user, Track("Straße", "Rammstein", "Rosenrot"));
        await AddAsync(user, Track("Enter Sandman", "Metallica", "Metallica"));
        await AddAsync(user, Track("Love Buzz", "Nirvana", "Bleach", albumArtist: "NIRVANA"));
        await AddAsync(user, Track("L’Amour toujours", "Gigi D'Agostino"));
        await AddAsync(await NewUserAsync("bob"), Track("Crazy in Love (bob)", "Beyoncé"));

        Assert.Equal(["Crazy in Love"], Titles((await Store.Tracks.SearchPageAsync(user, "beyonce", cancellationToken: Ct)).Items));
        Assert.Equal(["Crazy in Love"], Titles((await Store.Tracks.SearchPageAsync(user, "BEYONCÉ", cancellationToken: Ct)).Items));
        Assert.Equal(["Ace of Spades"], Titles((await Store.Tracks.SearchPageAsync(user, "MOTORHEAD", cancellationToken: Ct)).Items));
        Assert.Equal(["Straße"], Titles((await Store.Tracks.SearchPageAsync(user, "strasse", cancellationToken: Ct)).Items));
        Assert.Equal(["Enter Sandman"], Titles((await Store.Tracks.SearchPageAsync(user, "metal", cancellationToken: Ct)).Items));
        Assert.Equal(["Love Buzz", "Crazy in Love"], Titles((await Store.Tracks.SearchPageAsync(user, "love", cancellationToken: Ct)).Items));
        Assert.Equal(["Love Buzz"], Titles((await Store.Tracks.SearchPageAsync(user, "love nirv", cancellationToken: Ct)).Items));
        Assert.Equal(["Love Buzz"], Titles((await Store.Tracks.SearchPageAsync(user, "bleach", cancellationToken: Ct)).Items));
        foreach (var query in new[] { "l'amour", "lamour", "AMOUR", "dagostino", "gigi d'agost" })
        {
            Assert.Equal(["L’Amour toujours"], Titles((await Store.Tracks.SearchPageAsync(user, query, cancellationToken: Ct)).Items));
        }

        Assert.Empty((await Store.Tracks.SearchPageAsync(user, "love metallica", cancellationToken: Ct)).Items);
        Assert.Empty((await Store.Tracks.SearchPageAsync(user, "  ?!  ", cancellationToken: Ct)).Items);
        Assert.Empty((await Store.Tracks.SearchPageAsync(user, "\"* OR NEAR( :* & |", cancellationToken: Ct)).Items);

        // Any user id works, whatever characters it has.
        var odd = await NewUserAsync("ユーザー \"x\" OR * @example.com");
        var oddTrack = await AddAsync(odd, Track("Crazy in Love", "Beyoncé"));
        Assert.Equal([oddTrack.Id], (await Store.Tracks.SearchPageAsync(odd, "beyonce crazy", cancellationToken: Ct)).Items.Select(t => t.Id));
    }

    [Fact]
    public async Task Search_pages_newest_first_with_a_cursor()
    {
        var user = await NewUserAsync();
        for (int i = 0; i < 23; i++)
        {
            await AddAsync(user, Track($"Song {i:D2}", "Common Artist"));
        }

        await AddAsync(user, Track("Unrelated", "Someone"));
        var all = await AllPagesAsync(c => Store.Tracks.SearchPageAsync(user, "common", 4, c, Ct));
        Assert.Equal(Enumerable.Range(0, 23).Reverse().Select(i => $"Song {i:D2}"), Titles(all));
        await Assert.ThrowsAsync<MetadataArgumentException>(() => Store.Tracks.SearchPageAsync(user, "common", 4, "not-a-cursor", Ct));
        var browseCursor = (await Store.Tracks.BrowsePageAsync(user, new TrackQuery { PageSize = 1, Sort = TrackSort.Artist }, Ct)).NextCursor;
        await Assert.ThrowsAsync<MetadataArgumentException>(() => Store.Tracks.SearchPageAsync(user, "common", 4, browseCursor, Ct));
        await Assert.ThrowsAsync<MetadataArgumentException>(() => Store.Tracks.BrowsePageAsync(user, new TrackQuery { Sort = TrackSort.Title, Cursor = browseCursor }, Ct));
    }

    [Fact]
    public async Task Tag_edits_change_browse_search_and_grouping()
    {
        var user = await NewUserAsync();
        var track = await AddAsync(user, Track("Untitled 1", "Unknown Artist", "Unknown Album"));
        Assert.Null(track.Tags.Compilation);
        var edited = await Store.Tracks.UpdateTagsAsync(user, track.Id,
            track.Tags with { Title = "Teardrop", Artist = "Massive Attack", Album = "Mezzanine", Genre = "Trip-Hop", Comment = "1998", Compilation = true }, Ct);
        Assert.Equal("Teardrop", edited.Tags.Title);
        Assert.Equal("1998", edited.Tags.Comment);
        Assert.True(edited.Tags.Compilation);
        Assert.Equal(edited, await Store.Tracks.GetTrackAsync(user, track.Id, Ct));
        Assert.Equal(track.SizeBytes, edited.SizeBytes);
        Assert.Equal(["Teardrop"], Titles((await Store.Tracks.SearchPageAsync(user, "massive tear", cancellationToken: Ct)).Items));
        Assert.Empty((await Store.Tracks.SearchPageAsync(user, "untitled", cancellationToken: Ct)).Items);
        Assert.Equal("Massive Attack", Assert.Single((await Store.Tracks.ListArtistsPageAsync(user, cancellationToken: Ct)).Items).Name);
        Assert.Equal("Trip-Hop", Assert.Single((await Store.Tracks.ListGenresPageAsync(user, cancellationToken: Ct)).Items).Name);
        await Assert.ThrowsAsync<MetadataNotFoundException>(() => Store.Tracks.UpdateTagsAsync(user, Guid.NewGuid(), track.Tags, Ct));
        await Assert.ThrowsAsync<MetadataArgumentException>(() => Store.Tracks.UpdateTagsAsync(user, track.Id, track.Tags with { Title = " " }, Ct));
    }

    [Fact]
    public async Task Albums_group_by_album_artist_and_artists_and_genres_page()
    {
        var user = await NewUserAsync();
        await AddAsync(user, Track("A1", "Daft Punk", "Discovery", genre: "Electronic"));
        await AddAsync(user, Track("A2", "Daft Punk", "Discovery", genre: "electronic"));
        await AddAsync(user, Track("A3", "Romanthony", "Discovery", albumArtist: "Daft Punk", genre: "House"));
        await AddAsync(user, Track("B1", "Daft Punk", "Homework", genre: "House"));
        await AddAsync(user, Track("C1", "Air", "Moon Safari"));
        await AddAsync(user, Track("D1", "Various", "Discovery"));

        var albums = await AllPagesAsync(c => Store.Tracks.ListAlbumsPageAsync(user, 2, c, Ct));
        Assert.Equal(["Air/Moon Safari/1", "Daft Punk/Discovery/3", "Daft Punk/Homework/1", "Various/Discovery/1"],
            albums.Select(a => $"{a.AlbumArtist}/{a.Title}/{a.TrackCount}"));
        Assert.Equal(TimeSpan.FromSeconds(180.5 * 3), albums[1].Duration);
        Assert.Equal(2001, albums[1].Year);

        var artists = await AllPagesAsync(c => Store.Tracks.ListArtistsPageAsync(user, 1, c, Ct));
        Assert.Equal(["Air:1:1", "Daft Punk:3:2", "Romanthony:1:1", "Various:1:1"], artists.Select(a => $"{a.Name}:{a.TrackCount}:{a.AlbumCount}"));

        var genres = await AllPagesAsync(c => Store.Tracks.ListGenresPageAsync(user, 50, c, Ct));
        Assert.Equal(["(none):2", "Electronic:2", "House:2"], genres.Select(g => $"{g.Name ?? "(none)"}:{g.TrackCount}"));
    }

    [Fact]
    public async Task Removing_a_track_removes_it_from_playlists_and_history_and_reports_shared_storage()
    {
        var user = await NewUserAsync();
        var keep = await AddAsync(user, Track("Keep", hash: "same", storageKey: "~/shared"));
        var drop = await AddAsync(user, Track("Drop", hash: "same", storageKey: "~/shared"));
        var playlist = await Store.Playlists.CreateAsync(user, "Mix", Ct);
        await Store.Playlists.AddTracksAsync(user, playlist.Id, [drop.Id, keep.Id, drop.Id], null, Ct);
        await Store.History.RecordPlayAsync(user, drop.Id, Ct);

        var removal = await Store.Tracks.RemoveTrackAsync(user, drop.Id, Ct);
        Assert.True(removal.StorageKeyStillReferenced);
        var entries = await Store.Playlists.GetEntriesAsync(user, playlist.Id, Ct);
        Assert.Equal([keep.Id], entries.Select(e => e.Track.Id));
        Assert.Equal(0, entries[0].Index);
        Assert.Empty(await Store.History.GetRecentlyPlayedAsync(user, cancellationToken: Ct));
        Assert.False((await Store.Tracks.RemoveTrackAsync(user, keep.Id, Ct)).StorageKeyStillReferenced);
        await Assert.ThrowsAsync<MetadataNotFoundException>(() => Store.Tracks.RemoveTrackAsync(user, keep.Id, Ct));
    }

    [Fact]
    public async Task Invalid_input_is_refused_with_argument_errors()
    {
        var user = await NewUserAsync();
        await Assert.ThrowsAsync<MetadataArgumentException>(() => Store.Users.EnsureAsync("", null, Ct));
        await Assert.ThrowsAsync<MetadataArgumentException>(() => Store.Users.EnsureAsync("a\nb", null, Ct));
        await Assert.ThrowsAsync<MetadataArgumentException>(() => Store.Users.EnsureAsync(new string('x', 201), null, Ct));
        await Assert.ThrowsAsync<MetadataArgumentException>(() => Store.Users.EnsureAsync("dave", "no-such-plan", Ct));
        await Assert.ThrowsAsync<MetadataArgumentException>(() => Store.Quota.ReserveAsync(user, -1, Ct));
        await Assert.ThrowsAsync<MetadataArgumentException>(() => Store.Tracks.AddTrackAsync(user, Owned(user, Track("Negative", size: -5)), null, Ct));
        await Assert.ThrowsAsync<MetadataArgumentException>(() => Store.Tracks.AddTrackAsync(user, Owned(user, Track("Bad number", trackNumber: 0)), null, Ct));
        await Assert.ThrowsAsync<MetadataArgumentException>(() => Store.Tracks.BrowsePageAsync(user, new TrackQuery { PageSize = 0 }, Ct));
        await Assert.ThrowsAsync<MetadataArgumentException>(() => Store.Tracks.BrowsePageAsync(user, new TrackQuery { PageSize = TrackQuery.MaxPageSize + 1 }, Ct));
        var missing = await Assert.ThrowsAsync<MetadataNotFoundException>(() => Store.Quota.ReserveAsync("nobody", 1, Ct));
        Assert.Equal(MetadataEntity.User, missing.Entity);
        Assert.Equal("nobody", missing.Id);
    }
}
