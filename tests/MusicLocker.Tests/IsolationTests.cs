using MusicLocker.Metadata;
using MusicLocker.Testing;

namespace MusicLocker.Tests;

/// <summary>User B holds user A's ids and cursors and tries every public method: each answers as for an id that does not exist.</summary>
/// <remarks>
/// On the file system with SQLite; <see cref="InMemoryPostgresIsolationTests"/> runs it with the catalog on PostgreSQL
/// (where the user scoping of every query lives). Not on S3/Azure: object keys are scoped by the same code on every
/// store, and the suite there costs a minute of emulator round trips.
/// </remarks>
public class IsolationTests : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private LockerUnderTest _test = null!;
    private IUserLocker _alice = null!;
    private IUserLocker _bob = null!;
    private LockerTrack _track = null!;
    private Playlist _playlist = null!;

    protected virtual StorageKind Kind => StorageKind.FileSystem;

    protected virtual Metadata.Tests.Servers.PostgresServer? Postgres => null;

    public async ValueTask InitializeAsync()
    {
        _test = await LockerUnderTest.OpenAsync(_folder.Path, Kind, postgres: Postgres);
        _alice = _test.Locker.ForUser("alice");
        _bob = _test.Locker.ForUser("bob");
        _track = (await _alice.Uploads.UploadFileAsync(AudioFiles.Mp3("big-cover.mp3"))).Track;
        await _alice.Uploads.UploadFileAsync(AudioFiles.Mp3("id3v23-full.mp3"));
        _playlist = await _alice.Playlists.CreateAsync("private");
        await _alice.Playlists.AddTracksAsync(_playlist.Id, [_track.Id]);
        await _alice.History.RecordPlayAsync(_track.Id);
        await _bob.Uploads.UploadFileAsync(AudioFiles.Mp3("vbr-noheader.mp3"));
    }

    public async ValueTask DisposeAsync()
    {
        await _test.DisposeAsync();
        _folder.Dispose();
    }

    public static TheoryData<string> TrackCalls() =>
    [
        "get", "details", "download", "range", "cover", "tags", "delete", "play", "add-to-own-playlist",
    ];

    [Theory]
    [MemberData(nameof(TrackCalls))]
    public async Task Another_users_track_id_reads_as_not_found_and_changes_nothing(string call)
    {
        var ct = TestContext.Current.CancellationToken;
        var own = await _bob.Playlists.CreateAsync("mine", ct);
        Func<Task> attempt = call switch
        {
            "get" => () => _bob.Tracks.GetAsync(_track.Id, ct),
            "details" => () => _bob.Tracks.GetDetailsAsync(_track.Id, ct),
            "download" => () => _bob.Downloads.DownloadToAsync(_track.Id, new MemoryStream(), cancellationToken: ct),
            "range" => () => _bob.Downloads.OpenReadAsync(_track.Id, 10, 10, ct),
            "cover" => () => _bob.Downloads.OpenCoverArtAsync(_track.Id, ct),
            "tags" => () => _bob.Tracks.UpdateTagsAsync(_track.Id, new TrackTags("mine now"), ct),
            "delete" => () => _bob.Tracks.DeleteAsync(_track.Id, ct),
            "play" => () => _bob.History.RecordPlayAsync(_track.Id, ct),
            _ => () => _bob.Playlists.AddTracksAsync(own.Id, [_track.Id], cancellationToken: ct),
        };

        var error = await Assert.ThrowsAsync<LockerException>(attempt);

        Assert.Equal(LockerErrorCode.TrackNotFound, error.ErrorCode);
        Assert.DoesNotContain(_track.Id.ToString(), error.Message, StringComparison.OrdinalIgnoreCase);
        var still = await _alice.Tracks.GetAsync(_track.Id, ct);
        Assert.Equal(_track.Tags, still.Tags);
        var download = new MemoryStream();
        await _alice.Downloads.DownloadToAsync(_track.Id, download, cancellationToken: ct);
        Assert.Equal(await File.ReadAllBytesAsync(AudioFiles.Mp3("big-cover.mp3"), ct), download.ToArray());
    }

    [Fact]
    public async Task Listings_show_only_the_users_own_things()
    {
        var ct = TestContext.Current.CancellationToken;
        var tracks = await EndToEndTests.ToListAsync(_bob.Tracks.ListAsync(cancellationToken: ct));
        Assert.Single(tracks);
        Assert.DoesNotContain(tracks, t => t.Id == _track.Id);
        Assert.Empty(await EndToEndTests.ToListAsync(_bob.Tracks.SearchAsync("Big Cover", ct)));
        Assert.DoesNotContain(await EndToEndTests.ToListAsync(_bob.Tracks.ListArtistsAsync(ct)), a => a.Name == "Test Artist");
        Assert.Empty(await EndToEndTests.ToListAsync(_bob.Playlists.ListAsync(ct)));
        Assert.Empty(await _bob.History.GetRecentlyPlayedAsync(cancellationToken: ct));
        Assert.Empty(await _bob.History.GetMostPlayedAsync(cancellationToken: ct));
    }

    [Fact]
    public async Task Another_users_playlist_id_reads_as_not_found()
    {
        var ct = TestContext.Current.CancellationToken;
        var own = (await _bob.Tracks.GetPageAsync(new TrackQuery(), ct)).Items[0];
        Func<Task>[] attempts =
        [
            () => _bob.Playlists.GetAsync(_playlist.Id, ct),
            () => _bob.Playlists.GetEntriesAsync(_playlist.Id, ct),
            () => _bob.Playlists.RenameAsync(_playlist.Id, "taken", ct),
            () => _bob.Playlists.AddTracksAsync(_playlist.Id, [own.Id], cancellationToken: ct),
        ];
        foreach (var attempt in attempts)
        {
            var error = await Assert.ThrowsAsync<LockerException>(attempt);
            Assert.Equal(LockerErrorCode.PlaylistNotFound, error.ErrorCode);
        }

        Assert.False(await _bob.Playlists.DeleteAsync(_playlist.Id, ct));
        var entries = await _alice.Playlists.GetEntriesAsync(_playlist.Id, ct);
        Assert.Equal(_track.Id, Assert.Single(entries).Track.Id);
        Assert.Equal("private", (await _alice.Playlists.GetAsync(_playlist.Id, ct)).Name);
    }

    [Fact]
    public async Task Another_users_cursor_and_forged_cursors_are_refused_with_a_code()
    {
        var ct = TestContext.Current.CancellationToken;
        var alicePage = await _alice.Tracks.GetPageAsync(new TrackQuery { PageSize = 1 }, ct);
        Assert.NotNull(alicePage.NextCursor);
        string inner = alicePage.NextCursor![(alicePage.NextCursor.IndexOf('.', StringComparison.Ordinal) + 1)..];
        string[] cursors =
        [
            alicePage.NextCursor,
            inner,
            "0000000000000000." + inner,
            "garbage",
            alicePage.NextCursor[..^2] + "zz",
        ];

        foreach (string cursor in cursors)
        {
            var error = await Assert.ThrowsAsync<LockerException>(() => _bob.Tracks.GetPageAsync(new TrackQuery { PageSize = 1, Cursor = cursor }, ct));
            Assert.True(error.ErrorCode is LockerErrorCode.InvalidCursor, $"{cursor}: {error.ErrorCode} {error.Message}");
        }

        string? recentCursor = (await _alice.Tracks.GetPageAsync(new TrackQuery { Sort = TrackSort.RecentlyAdded, PageSize = 1 }, ct)).NextCursor;
        var other = await Assert.ThrowsAsync<LockerException>(() => _alice.Tracks.GetPageAsync(new TrackQuery { Sort = TrackSort.Title, PageSize = 1, Cursor = recentCursor }, ct));
        Assert.Equal(LockerErrorCode.InvalidCursor, other.ErrorCode);
    }

    [Fact]
    public async Task Another_users_upload_session_cannot_be_resumed_listed_or_cancelled()
    {
        var ct = TestContext.Current.CancellationToken;
        string path = AudioFiles.Mp3("id3v23-unsync.mp3");
        var pending = await SyncProgress.InterruptAsync(_alice, path, 32 * 1024);

        Assert.Empty(await _bob.Uploads.ListPendingAsync(ct));
        var resume = await Assert.ThrowsAsync<LockerException>(() => _bob.Uploads.ResumeAsync(pending.Id, path, cancellationToken: ct));
        Assert.Equal(LockerErrorCode.UploadNotFound, resume.ErrorCode);
        Assert.False(await _bob.Uploads.CancelAsync(pending.Id, ct));

        var result = await _alice.Uploads.ResumeAsync(pending.Id, path, cancellationToken: ct);
        Assert.Equal(UploadOutcome.Stored, result.Outcome);
    }

    [Fact]
    public void User_ids_that_could_reach_another_prefix_are_refused()
    {
        foreach (string id in new[] { "", "a/b", "..", ".", "alice/", "x\u0000y", new string('a', 201) })
        {
            var error = Assert.Throws<LockerException>(() => _test.Locker.ForUser(id));
            Assert.Equal(LockerErrorCode.InvalidArgument, error.ErrorCode);
        }
    }

    [Fact]
    public async Task Deleting_another_users_account_is_impossible_deleting_ones_own_leaves_others_intact()
    {
        var ct = TestContext.Current.CancellationToken;
        var report = await _bob.Account.DeleteAsync(ct);
        Assert.True(report.Verified);

        var download = new MemoryStream();
        await _alice.Downloads.DownloadToAsync(_track.Id, download, cancellationToken: ct);
        Assert.Equal(await File.ReadAllBytesAsync(AudioFiles.Mp3("big-cover.mp3"), ct), download.ToArray());
        Assert.Equal(2, (await EndToEndTests.ToListAsync(_alice.Tracks.ListAsync(cancellationToken: ct))).Count);
    }
}

/// <summary>An <see cref="IProgress{T}"/> that runs its handler on the reporting thread (Progress posts to the pool).</summary>
internal sealed class SyncProgress(Action<UploadProgress> handler) : IProgress<UploadProgress>
{
    public void Report(UploadProgress value) => handler(value);

    /// <summary>Starts uploading <paramref name="path"/> and cancels once <paramref name="afterBytes"/> are stored; returns the pending upload it left.</summary>
    public static async Task<PendingUpload> InterruptAsync(IUserLocker user, string path, long afterBytes = 0, UploadOptions? options = null)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var progress = new SyncProgress(p =>
        {
            if (p.BytesTransferred >= afterBytes)
            {
                cts.Cancel();
            }
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => user.Uploads.UploadFileAsync(path, options, progress, cts.Token));
        return Assert.Single(await user.Uploads.ListPendingAsync(TestContext.Current.CancellationToken));
    }
}

/// <summary>The isolation suite with the catalog on PostgreSQL.</summary>
public sealed class InMemoryPostgresIsolationTests(Metadata.Tests.Servers.PostgresServer server) : IsolationTests
{
    protected override StorageKind Kind => StorageKind.InMemory;

    protected override Metadata.Tests.Servers.PostgresServer? Postgres => server;
}

/// <summary>One locker shared by many users at once: each ends with exactly its own tracks, bytes and quota.</summary>
public sealed class ConcurrentUsersTests
{
    [Fact]
    public async Task Eight_users_uploading_reading_and_deleting_at_once_see_only_their_own()
    {
        var ct = TestContext.Current.CancellationToken;
        using var folder = new TempFolder();
        var test = await LockerUnderTest.OpenAsync(folder.Path, StorageKind.FileSystem);
        await using var _ = test;
        string[] files = [AudioFiles.Mp3("big-cover.mp3"), AudioFiles.Mp3("vbr-noheader.mp3"), AudioFiles.Aac("lc-44k-stereo.aac"), AudioFiles.M4a("moov-at-end.m4a")];

        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            var user = test.Locker.ForUser("user" + i);
            var mine = files.Where((_, f) => (f + i) % 2 == 0).ToArray();
            var results = await user.Uploads.UploadFilesAsync(mine, cancellationToken: ct);
            var doomed = results[0].Result!.Track;
            await user.Tracks.DeleteAsync(doomed.Id, ct);
            foreach (var kept in results.Skip(1))
            {
                var download = new MemoryStream();
                await user.Downloads.DownloadToAsync(kept.Result!.Track.Id, download, cancellationToken: ct);
                Assert.Equal(await File.ReadAllBytesAsync(kept.Path, ct), download.ToArray());
            }
        }, ct)));

        for (int i = 0; i < 8; i++)
        {
            var user = test.Locker.ForUser("user" + i);
            var kept = files.Where((_, f) => (f + i) % 2 == 0).Skip(1).ToArray();
            var tracks = await EndToEndTests.ToListAsync(user.Tracks.ListAsync(cancellationToken: ct));
            Assert.Equal(kept.Length, tracks.Count);
            var quota = await user.Quota.GetStatusAsync(ct);
            Assert.Equal(kept.Sum(f => new FileInfo(f).Length), quota.UsedBytes);
            Assert.Equal(0, quota.ReservedBytes);
            Assert.Equal(kept.Length * 2, (await test.UserObjectsAsync($"users/user{i}/")).Count);
        }
    }
}
