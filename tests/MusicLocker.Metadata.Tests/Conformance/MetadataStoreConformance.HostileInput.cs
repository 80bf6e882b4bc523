using System.Diagnostics;
using MusicLocker.Metadata;
using MusicLocker.Metadata.Sql;
using MusicLocker.Metadata.Quota;

namespace MusicLocker.Metadata.Tests.Conformance;

/// <summary>
/// Hostile input from outside (the review's harness): every entry point refuses malformed text, over-long text, byte
/// counts that would overflow, forged cursors and over-long searches with a typed, non-transient
/// <see cref="MetadataArgumentException"/> that names the parameter, before any SQL runs, and nothing is stored.
/// </summary>
public abstract partial class MetadataStoreConformance
{
    [Fact]
    public async Task Hostile_user_ids_are_refused_at_every_entry_point_and_never_merge()
    {
        string[] ids = [.. HostileTexts, "", " ", "\t", "a\nb", "a/b", "users/x", new string('u', MetadataLimits.MaxUserIdLength + 1)];
        var calls = new List<HostileCall>();
        foreach (var id in ids)
        {
            string label = Label(id);
            calls.Add(new($"Users.EnsureAsync({label})", "userId", () => Store.Users.EnsureAsync(id, null, Ct)));
            calls.Add(new($"Users.GetAsync({label})", "userId", () => Store.Users.GetAsync(id, Ct)));
            calls.Add(new($"Users.DeleteAsync({label})", "userId", () => Store.Users.DeleteAsync(id, Ct)));
            calls.Add(new($"Quota.GetStatusAsync({label})", "userId", () => Store.Quota.GetStatusAsync(id, Ct)));
            calls.Add(new($"Quota.ReserveAsync({label})", "userId", () => Store.Quota.ReserveAsync(id, 1, Ct)));
            calls.Add(new($"Quota.CommitAsync({label})", "userId", () => Store.Quota.CommitAsync(id, Guid.NewGuid(), 1, Ct)));
            calls.Add(new($"Quota.ReleaseAsync({label})", "userId", () => Store.Quota.ReleaseAsync(id, Guid.NewGuid(), Ct)));
            calls.Add(new($"Tracks.SearchPageAsync({label})", "userId", () => Store.Tracks.SearchPageAsync(id, "x", cancellationToken: Ct)));
            calls.Add(new($"Tracks.ListAlbumsPageAsync({label})", "userId", () => Store.Tracks.ListAlbumsPageAsync(id, cancellationToken: Ct)));
            calls.Add(new($"Playlists.ListAsync({label})", "userId", () => Store.Playlists.ListAsync(id, Ct).ToListAsync(Ct).AsTask()));
            calls.Add(new($"History.SetEnabledAsync({label})", "userId", () => Store.History.SetEnabledAsync(id, false, Ct)));
            calls.Add(new($"UploadSessions.ListOpenAsync({label})", "userId", () => Store.UploadSessions.ListOpenAsync(id, Ct).ToListAsync(Ct).AsTask()));
        }

        await AssertAllRefusedAsync(calls);

        // Ids that SQLite would fold into one (both unpaired surrogates become U+FFFD) never reach the database: the
        // well-formed one is its own user.
        var real = await Store.Users.EnsureAsync("x\uFFFD", null, Ct);
        Assert.Equal("x\uFFFD", real.Id);
        await Assert.ThrowsAsync<MetadataNotFoundException>(() => Store.Users.GetAsync("x\uD83D\uDE00", Ct));
    }

    [Fact]
    public async Task Hostile_text_in_every_field_is_refused_and_nothing_is_stored()
    {
        var user = await NewUserAsync();
        var good = await AddAsync(user, Track("Good", "Artist", "Album", size: 100));
        var playlist = await Store.Playlists.CreateAsync(user, "Mix", Ct);
        var session = await Store.UploadSessions.CreateAsync(user, new NewUploadSession(KeyOf(user, "s"), "s.mp3", 10), Ct);
        var calls = new List<HostileCall>();
        foreach (var text in HostileTexts)
        {
            string l = Label(text);
            var baseTrack = Owned(user, Track("T", size: 10));
            calls.Add(new($"Title {l}", "track.Tags.Title", () => Store.Tracks.AddTrackAsync(user, baseTrack with { Tags = baseTrack.Tags with { Title = text } }, null, Ct)));
            calls.Add(new($"Artist {l}", "track.Tags.Artist", () => Store.Tracks.AddTrackAsync(user, baseTrack with { Tags = baseTrack.Tags with { Artist = text } }, null, Ct)));
            calls.Add(new($"Album {l}", "track.Tags.Album", () => Store.Tracks.AddTrackAsync(user, baseTrack with { Tags = baseTrack.Tags with { Album = text } }, null, Ct)));
            calls.Add(new($"AlbumArtist {l}", "track.Tags.AlbumArtist", () => Store.Tracks.AddTrackAsync(user, baseTrack with { Tags = baseTrack.Tags with { AlbumArtist = text } }, null, Ct)));
            calls.Add(new($"Genre {l}", "track.Tags.Genre", () => Store.Tracks.AddTrackAsync(user, baseTrack with { Tags = baseTrack.Tags with { Genre = text } }, null, Ct)));
            calls.Add(new($"Comment {l}", "track.Tags.Comment", () => Store.Tracks.AddTrackAsync(user, baseTrack with { Tags = baseTrack.Tags with { Comment = text } }, null, Ct)));
            calls.Add(new($"Codec {l}", "track.Codec", () => Store.Tracks.AddTrackAsync(user, baseTrack with { Codec = text }, null, Ct)));
            calls.Add(new($"ContentHash {l}", "track.ContentHash", () => Store.Tracks.AddTrackAsync(user, baseTrack with { ContentHash = text }, null, Ct)));
            calls.Add(new($"AudioHash {l}", "track.AudioHash", () => Store.Tracks.AddTrackAsync(user, baseTrack with { AudioHash = text }, null, Ct)));
            calls.Add(new($"StorageKey {l}", "track.StorageKey", () => Store.Tracks.AddTrackAsync(user, baseTrack with { StorageKey = KeyOf(user, text) }, null, Ct)));
            calls.Add(new($"UpdateTags Title {l}", "tags.Title", () => Store.Tracks.UpdateTagsAsync(user, good.Id, good.Tags with { Title = text }, Ct)));
            calls.Add(new($"UpdateTags Comment {l}", "tags.Comment", () => Store.Tracks.UpdateTagsAsync(user, good.Id, good.Tags with { Comment = text }, Ct)));
            calls.Add(new($"FindByContentHash {l}", "contentHash", () => Store.Tracks.FindByContentHashAsync(user, text, Ct)));
            calls.Add(new($"Search {l}", "text", () => Store.Tracks.SearchPageAsync(user, text, cancellationToken: Ct)));
            calls.Add(new($"Browse Artist {l}", "query.Artist", () => Store.Tracks.BrowsePageAsync(user, new TrackQuery { Artist = text }, Ct)));
            calls.Add(new($"Browse Genre {l}", "query.Genre", () => Store.Tracks.BrowsePageAsync(user, new TrackQuery { Genre = text }, Ct)));
            calls.Add(new($"Playlist create {l}", "name", () => Store.Playlists.CreateAsync(user, text, Ct)));
            calls.Add(new($"Playlist rename {l}", "name", () => Store.Playlists.RenameAsync(user, playlist.Id, text, Ct)));
            calls.Add(new($"Upload FileName {l}", "session.FileName", () => Store.UploadSessions.CreateAsync(user, new NewUploadSession(KeyOf(user, "u"), text, 10), Ct)));
            calls.Add(new($"Upload StorageKey {l}", "session.StorageKey", () => Store.UploadSessions.CreateAsync(user, new NewUploadSession(KeyOf(user, text), "f", 10), Ct)));
            calls.Add(new($"Upload MultipartUploadId {l}", "session.MultipartUploadId", () => Store.UploadSessions.CreateAsync(user, new NewUploadSession(KeyOf(user, "u"), "f", 10, null, text), Ct)));
            calls.Add(new($"Upload update MultipartUploadId {l}", "update.MultipartUploadId", () => Store.UploadSessions.UpdateAsync(user, session.Id, new UploadSessionUpdate(MultipartUploadId: text), session.Version, Ct)));
            calls.Add(new($"Plan id {l}", "planId", () => Store.Quota.SetPlanAsync(user, text, null, Ct)));
            calls.Add(new($"Ensure plan id {l}", "planId", () => Store.Users.EnsureAsync("someone", text, Ct)));
            calls.Add(new($"Preview name {l}", "files[0].Name", () => Store.Quota.PreviewAsync(user, [new PlannedUpload(text, 1)], Ct)));
            calls.Add(new($"Preview hash {l}", "files[0].ContentHash", () => Store.Quota.PreviewAsync(user, [new PlannedUpload("f", 1, text)], Ct)));
            calls.Add(new($"Reconcile key {l}", "storedObjects[0].StorageKey", () => Store.Quota.ReconcileAsync(user, new[] { new StoredObject(KeyOf(user, text), 1) }.ToAsyncEnumerable(), true, Ct)));
        }

        var blank = Owned(user, Track("T"));
        calls.Add(new("blank Title", "track.Tags.Title", () => Store.Tracks.AddTrackAsync(user, blank with { Tags = blank.Tags with { Title = " " } }, null, Ct)));
        calls.Add(new("blank Codec", "track.Codec", () => Store.Tracks.AddTrackAsync(user, blank with { Codec = "" }, null, Ct)));
        calls.Add(new("null Tags", "track.Tags", () => Store.Tracks.AddTrackAsync(user, blank with { Tags = null! }, null, Ct)));
        calls.Add(new("null track", "track", () => Store.Tracks.AddTrackAsync(user, null!, null, Ct)));
        calls.Add(new("null search", "text", () => Store.Tracks.SearchPageAsync(user, null!, cancellationToken: Ct)));
        calls.Add(new("blank playlist name", "name", () => Store.Playlists.CreateAsync(user, "  ", Ct)));
        calls.Add(new("501-char playlist name", "name", () => Store.Playlists.CreateAsync(user, new string('n', MetadataLimits.MaxNameLength + 1), Ct)));
        calls.Add(new("1,001-char title", "track.Tags.Title", () => Store.Tracks.AddTrackAsync(user, blank with { Tags = blank.Tags with { Title = new string('t', MetadataLimits.MaxTagLength + 1) } }, null, Ct)));
        await AssertAllRefusedAsync(calls);

        // Nothing of the refused calls was stored, and what was there is intact.
        Assert.Equal([good.Id], (await Store.Tracks.BrowsePageAsync(user, new TrackQuery(), Ct)).Items.Select(t => t.Id));
        Assert.Equal(good, await Store.Tracks.GetTrackAsync(user, good.Id, Ct));
        Assert.Equal(100, (await Store.Quota.GetStatusAsync(user, Ct)).UsedBytes);
        Assert.Equal(["Mix"], (await Store.Playlists.ListAsync(user, Ct).ToListAsync(Ct)).Select(p => p.Name));
        Assert.Equal([session], await Store.UploadSessions.ListOpenAsync(user, Ct).ToListAsync(Ct));
        await Assert.ThrowsAsync<MetadataNotFoundException>(() => Store.Users.GetAsync("someone", Ct));

        // Text at the caps, with tabs and newlines in a comment, is stored as given.
        var atCaps = Owned(user, Track(new string('T', MetadataLimits.MaxTagLength), size: 1)) with { };
        atCaps = atCaps with { Tags = atCaps.Tags with { Comment = "line 1\r\n\tline 2" + new string('c', MetadataLimits.MaxCommentLength - 15) } };
        var stored = await Store.Tracks.AddTrackAsync(user, atCaps, null, Ct);
        Assert.Equal(atCaps.Tags, (await Store.Tracks.GetTrackAsync(user, stored.Id, Ct)).Tags);
    }

    [Fact]
    public async Task Byte_counts_that_are_negative_or_would_overflow_are_refused_and_nothing_changes()
    {
        var user = await NewUserAsync();
        await Store.Quota.SetPlanAsync(user, "gb-1000", null, Ct);
        var reservation = await Store.Quota.ReserveAsync(user, 1_000, Ct);
        var session = await Store.UploadSessions.CreateAsync(user, new NewUploadSession(KeyOf(user, "s"), "s.mp3", 10), Ct);
        var playlist = await Store.Playlists.CreateAsync(user, "Mix", Ct);
        var track = await AddAsync(user, Track("One", size: 10));
        await Store.Playlists.AddTracksAsync(user, playlist.Id, [track.Id], null, Ct);
        var entry = (await Store.Playlists.GetEntriesAsync(user, playlist.Id, Ct))[0];
        long[] sizes = [-1, long.MinValue, long.MaxValue, long.MaxValue / 2, MetadataLimits.MaxSizeBytes + 1];
        var calls = new List<HostileCall>();
        foreach (long size in sizes)
        {
            calls.Add(new($"Reserve {size}", "bytes", () => Store.Quota.ReserveAsync(user, size, Ct)));
            calls.Add(new($"Commit {size}", "actualBytes", () => Store.Quota.CommitAsync(user, reservation.Id, size, Ct)));
            calls.Add(new($"AddTrack {size}", "track.SizeBytes", () => AddAsync(user, Track("Big", size: size))));
            calls.Add(new($"Preview {size}", "files[0].SizeBytes", () => Store.Quota.PreviewAsync(user, [new PlannedUpload("f", size)], Ct)));
            calls.Add(new($"Reconcile {size}", "storedObjects[0].SizeBytes", () => Store.Quota.ReconcileAsync(user, new[] { new StoredObject(track.StorageKey, size) }.ToAsyncEnumerable(), true, Ct)));
            calls.Add(new($"Upload declared {size}", "session.DeclaredBytes", () => Store.UploadSessions.CreateAsync(user, new NewUploadSession(KeyOf(user, "u"), "f", size), Ct)));
            calls.Add(new($"Upload received {size}", "update.ReceivedBytes", () => Store.UploadSessions.UpdateAsync(user, session.Id, new UploadSessionUpdate(size), session.Version, Ct)));
        }

        foreach (long limit in new[] { -1, long.MinValue, long.MaxValue, MetadataLimits.MaxQuotaBytes + 1 })
        {
            calls.Add(new($"Override {limit}", "overrideLimitBytes", () => Store.Quota.SetPlanAsync(user, "free", limit, Ct)));
        }

        foreach (int pageSize in new[] { 0, -1, int.MinValue, TrackQuery.MaxPageSize + 1, int.MaxValue })
        {
            calls.Add(new($"Browse page {pageSize}", "query.PageSize", () => Store.Tracks.BrowsePageAsync(user, new TrackQuery { PageSize = pageSize }, Ct)));
            calls.Add(new($"Search page {pageSize}", "pageSize", () => Store.Tracks.SearchPageAsync(user, "one", pageSize, null, Ct)));
            calls.Add(new($"Albums page {pageSize}", "pageSize", () => Store.Tracks.ListAlbumsPageAsync(user, pageSize, null, Ct)));
            calls.Add(new($"Latest {pageSize}", "count", () => Store.Tracks.GetLatestAsync(user, pageSize, Ct)));
            calls.Add(new($"Recently played {pageSize}", "count", () => Store.History.GetRecentlyPlayedAsync(user, pageSize, Ct)));
            calls.Add(new($"Stale sessions {pageSize}", "limit", () => Store.UploadSessions.ListStaleAsync(Time.GetUtcNow(), pageSize, Ct)));
        }

        foreach (int index in new[] { -1, 2, int.MaxValue, int.MinValue })
        {
            calls.Add(new($"Insert at {index}", "index", () => Store.Playlists.AddTracksAsync(user, playlist.Id, [track.Id], index, Ct)));
            calls.Add(new($"Move to {index}", "newIndex", () => Store.Playlists.MoveEntryAsync(user, playlist.Id, entry.EntryId, index, Ct)));
        }

        calls.Add(new("Bitrate -1", "track.BitrateKbps", () => AddAsync(user, Track("B") with { BitrateKbps = -1 })));
        calls.Add(new("Duration -1 ms", "track.Duration", () => AddAsync(user, Track("D") with { Duration = TimeSpan.FromMilliseconds(-1) })));
        calls.Add(new("Track number 0", "track.Tags", () => AddAsync(user, Track("N", trackNumber: 0))));
        calls.Add(new("Sort 99", "query.Sort", () => Store.Tracks.BrowsePageAsync(user, new TrackQuery { Sort = (TrackSort)99 }, Ct)));
        calls.Add(new("Session state 42", "update.State", () => Store.UploadSessions.UpdateAsync(user, session.Id, new UploadSessionUpdate(State: (UploadSessionState)42), session.Version, Ct)));
        calls.Add(new("Preview null list", "files", () => Store.Quota.PreviewAsync(user, null!, Ct)));
        calls.Add(new("Preview null file", "files[0]", () => Store.Quota.PreviewAsync(user, [null!], Ct)));
        calls.Add(new("Reconcile null list", "storedObjects", () => Store.Quota.ReconcileAsync(user, null!, true, Ct)));
        calls.Add(new("Reconcile null object", "storedObjects[0]", () => Store.Quota.ReconcileAsync(user, new StoredObject[] { null! }.ToAsyncEnumerable(), true, Ct)));
        await AssertAllRefusedAsync(calls);

        var status = await Store.Quota.GetStatusAsync(user, Ct);
        Assert.Equal(10, status.UsedBytes);
        Assert.Equal(1_000, status.ReservedBytes);
        Assert.Equal(1_000_000_000_000, status.LimitBytes);
        Assert.Equal([session], await Store.UploadSessions.ListOpenAsync(user, Ct).ToListAsync(Ct));
        Assert.Equal([entry.EntryId], (await Store.Playlists.GetEntriesAsync(user, playlist.Id, Ct)).Select(e => e.EntryId));
        Assert.Equal(990, (await Store.Quota.CommitAsync(user, reservation.Id, 980, Ct)).UsedBytes);
    }

    [Fact]
    public async Task A_preview_of_huge_files_never_overflows_into_fits()
    {
        var user = await NewUserAsync();
        var files = Enumerable.Range(0, 9_000).Select(i => new PlannedUpload($"f{i}", MetadataLimits.MaxSizeBytes)).ToList();
        var preview = await Store.Quota.PreviewAsync(user, files, Ct);
        Assert.False(preview.Fits);
        Assert.Equal(long.MaxValue, preview.NeededBytes);
        Assert.All(preview.Files, f => Assert.False(f.Fits));

        var two = await Store.Quota.PreviewAsync(user, [new PlannedUpload("a", 3_000_000_000), new PlannedUpload("b", 3_000_000_000)], Ct);
        Assert.Equal(6_000_000_000, two.NeededBytes);
        Assert.False(two.Fits);
        Assert.Equal([true, false], two.Files.Select(f => f.Fits));
    }

    [Fact]
    public async Task Forged_garbage_and_type_confused_cursors_are_invalid_arguments()
    {
        var user = await NewUserAsync();
        for (int i = 0; i < 4; i++)
        {
            await AddAsync(user, Track($"T{i}", "Artist " + i, "Album " + i, genre: "G" + i));
            Time.Advance(TimeSpan.FromSeconds(1));
        }

        string search = (await Store.Tracks.SearchPageAsync(user, "t", 1, null, Ct)).NextCursor!;
        string title = (await Store.Tracks.BrowsePageAsync(user, new TrackQuery { PageSize = 1 }, Ct)).NextCursor!;
        string albums = (await Store.Tracks.ListAlbumsPageAsync(user, 1, null, Ct)).NextCursor!;
        Assert.NotNull(search);
        string[] forged =
        [
            "", "!!!", "AAAA", new string('A', MetadataLimits.MaxCursorLength + 4), title + "A", title[..^2],
            PageCursor.Encode((byte)TrackSort.Title, [42L, 7L]),
            PageCursor.Encode((byte)TrackSort.Title, ["a\0b", Guid.NewGuid()]),
            PageCursor.Encode((byte)TrackSort.Title, ["ok", "not a guid"]),
            PageCursor.Encode((byte)TrackSort.RecentlyAdded, ["yesterday", Guid.NewGuid()]),
            PageCursor.Encode((byte)TrackSort.Artist, ["a", "b", "one", "two", "c", Guid.NewGuid()]),
            PageCursor.Encode((byte)TrackSort.Title, ["a"]),
            PageCursor.Encode((byte)TrackSort.Title, ["a", Guid.NewGuid(), 1L]),
            PageCursor.Encode(16, ["seq"]),
            PageCursor.Encode(16, [Guid.NewGuid()]),
            PageCursor.Encode(32, [Guid.NewGuid(), Guid.NewGuid()]),
            PageCursor.Encode(33, [long.MaxValue]),
            PageCursor.Encode(34, [new string('g', MetadataLimits.MaxCursorLength)]),
        ];
        var calls = new List<HostileCall>();
        foreach (var cursor in forged)
        {
            string l = Label(cursor);
            calls.Add(new($"Browse title {l}", "query.Cursor", () => Store.Tracks.BrowsePageAsync(user, new TrackQuery { Cursor = cursor }, Ct)));
            calls.Add(new($"Browse added {l}", "query.Cursor", () => Store.Tracks.BrowsePageAsync(user, new TrackQuery { Sort = TrackSort.RecentlyAdded, Cursor = cursor }, Ct)));
            calls.Add(new($"Browse artist {l}", "query.Cursor", () => Store.Tracks.BrowsePageAsync(user, new TrackQuery { Sort = TrackSort.Artist, Cursor = cursor }, Ct)));
            calls.Add(new($"Search {l}", "cursor", () => Store.Tracks.SearchPageAsync(user, "t", 10, cursor, Ct)));
            calls.Add(new($"Albums {l}", "cursor", () => Store.Tracks.ListAlbumsPageAsync(user, 10, cursor, Ct)));
            calls.Add(new($"Artists {l}", "cursor", () => Store.Tracks.ListArtistsPageAsync(user, 10, cursor, Ct)));
            calls.Add(new($"Genres {l}", "cursor", () => Store.Tracks.ListGenresPageAsync(user, 10, cursor, Ct)));
        }

        // A real cursor handed to another listing is a forgery too.
        calls.Add(new("search cursor to browse", "query.Cursor", () => Store.Tracks.BrowsePageAsync(user, new TrackQuery { Cursor = search }, Ct)));
        calls.Add(new("title cursor to albums", "cursor", () => Store.Tracks.ListAlbumsPageAsync(user, 10, title, Ct)));
        calls.Add(new("albums cursor to search", "cursor", () => Store.Tracks.SearchPageAsync(user, "t", 10, albums, Ct)));
        calls.Add(new("title cursor to artist order", "query.Cursor", () => Store.Tracks.BrowsePageAsync(user, new TrackQuery { Sort = TrackSort.Artist, Cursor = title }, Ct)));
        await AssertAllRefusedAsync(calls);

        // The genuine cursors still page.
        Assert.Equal(3, (await AllPagesAsync(c => Store.Tracks.SearchPageAsync(user, "t", 1, c ?? search, Ct))).Count);
        Assert.Single((await Store.Tracks.BrowsePageAsync(user, new TrackQuery { PageSize = 1, Cursor = title }, Ct)).Items);
    }

    [Fact]
    public async Task Search_past_the_length_or_word_cap_is_refused_fast_on_every_database()
    {
        var user = await NewUserAsync();
        await AddAsync(user, Track("Alpha beta gamma", "Delta"));
        string kilobytes98 = string.Concat(Enumerable.Repeat("lorem ipsum dolor sit amet ", 98 * 1024 / 27 + 1));
        string words10000 = string.Join(' ', Enumerable.Range(0, 10_000).Select(i => "w" + i.ToString("x", System.Globalization.CultureInfo.InvariantCulture)));
        string words17 = string.Join(' ', Enumerable.Range(0, MetadataLimits.MaxSearchWords + 1).Select(i => "a"));
        string punctuation = new string('!', MetadataLimits.MaxSearchLength + 1);
        var clock = Stopwatch.StartNew();
        foreach (var text in new[] { kilobytes98, words10000, words17, punctuation })
        {
            var error = await Assert.ThrowsAsync<MetadataArgumentException>(() => Store.Tracks.SearchPageAsync(user, text, cancellationToken: Ct));
            Assert.Equal("text", error.ParameterName);
            Assert.False(error.IsTransient);
            Assert.Equal(MetadataErrorCode.InvalidArgument, error.ErrorCode);
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"refusing four over-long searches took {clock.Elapsed}");

        // At the caps a search runs, and finds.
        string words16 = string.Join(' ', Enumerable.Repeat("alp", MetadataLimits.MaxSearchWords - 1).Append("del"));
        Assert.Equal(["Alpha beta gamma"], Titles((await Store.Tracks.SearchPageAsync(user, words16, cancellationToken: Ct)).Items));
        string longest = "gamma" + new string(' ', MetadataLimits.MaxSearchLength - 5);
        Assert.Equal(["Alpha beta gamma"], Titles((await Store.Tracks.SearchPageAsync(user, longest, cancellationToken: Ct)).Items));
        Assert.Empty((await Store.Tracks.SearchPageAsync(user, new string('z', MetadataLimits.MaxSearchLength), cancellationToken: Ct)).Items);
    }
}
