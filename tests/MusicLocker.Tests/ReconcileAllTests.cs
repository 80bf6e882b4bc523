using Microsoft.Data.Sqlite;
using MusicLocker.Storage;
using MusicLocker.Testing;

namespace MusicLocker.Tests;

/// <summary>
/// The locker-wide reconcile: drift injected across several users and under prefixes of users that no longer exist, found
/// and repaired user by user; an upload in flight (held open mid-transfer, older than the minimum age) is not drift;
/// progress after each user; cancellable.
/// </summary>
public sealed class ReconcileAllTests : FileSystemLockerTest
{
    private static readonly ReconcileOptions Repair = new() { Repair = true, RemoveTracksWithoutObjects = true };

    [Fact]
    public async Task Drift_across_several_users_and_orphans_of_unknown_users_are_found_and_repaired()
    {
        string[] users = ["alice", "bob", "carol", "dave"];
        var tracks = new Dictionary<string, LockerTrack>(StringComparer.Ordinal);
        foreach (string user in users)
        {
            tracks[user] = (await Test.Locker.ForUser(user).Uploads.UploadFileAsync(AudioFiles.Mp3("big-cover.mp3"), cancellationToken: Ct)).Track;
        }

        // alice: an orphan object; bob: a missing object; carol: a ledger that lies and a leaked reservation; dave: clean;
        // ghost and zed: prefixes of users the catalog does not know; outside/: not the locker's.
        var aliceOrphan = BlobKey.Parse("users/alice/tracks/" + Guid.NewGuid().ToString("N"));
        await Test.Storage.PutBytesAsync(aliceOrphan, new byte[100], cancellationToken: Ct);
        await Test.Storage.DeleteAsync(BlobKey.Parse((await Test.Metadata.Tracks.GetTrackAsync("bob", tracks["bob"].Id, Ct)).StorageKey), cancellationToken: Ct);
        await ExecAsync("UPDATE locker_users SET used_bytes = used_bytes + 777 WHERE user_id = 'carol'");
        await Test.Metadata.Quota.ReserveAsync("carol", 50, Ct);
        var ghostKeys = new[] { "users/ghost/tracks/" + Guid.NewGuid().ToString("N"), "users/ghost/uploads/x.json", "users/zed/tracks/" + Guid.NewGuid().ToString("N") };
        foreach (string key in ghostKeys)
        {
            await Test.Storage.PutBytesAsync(BlobKey.Parse(key), new byte[7], cancellationToken: Ct);
        }

        var outside = BlobKey.Parse("outside/keep-me");
        await Test.Storage.PutBytesAsync(outside, new byte[3], cancellationToken: Ct);
        Test.Clock.Advance(TimeSpan.FromMinutes(20));

        var progress = new List<ReconcileProgress>();
        var found = await EndToEndTests.ToListAsync(Test.Locker.ReconcileAllAsync(progress: new SyncProgress(progress.Add), cancellationToken: Ct));

        Assert.Equal(["alice", "bob", "carol", "dave", "ghost", "zed"], found.Select(r => r.UserId));
        Assert.Equal([ReconcileIssueKind.ObjectWithoutTrack], Kinds(found, "alice"));
        Assert.Equal([ReconcileIssueKind.TrackWithoutObject], Kinds(found, "bob"));
        Assert.Equal([ReconcileIssueKind.ChargeMismatch, ReconcileIssueKind.LeakedReservation], Kinds(found, "carol").Order());
        Assert.True(found.Single(r => r.UserId == "dave").IsConsistent);
        Assert.Equal(2, Kinds(found, "ghost").Count(k => k == ReconcileIssueKind.ObjectWithoutTrack));
        Assert.Equal([ReconcileIssueKind.ObjectWithoutTrack], Kinds(found, "zed"));
        Assert.All(found.SelectMany(r => r.Issues), i => Assert.False(i.Repaired));

        Assert.Equal(6, progress.Count);
        Assert.Equal([1L, 2, 3, 4, 5, 6], progress.Select(p => p.Users));
        Assert.Equal(found.Sum(r => r.Issues.Count), progress[^1].Issues);
        Assert.Equal(found.Sum(r => r.ObjectsSeen), progress[^1].ObjectsSeen);
        Assert.Equal("zed", progress[^1].LastUserId);

        var repaired = await EndToEndTests.ToListAsync(Test.Locker.ReconcileAllAsync(Repair, cancellationToken: Ct));
        Assert.All(repaired.SelectMany(r => r.Issues), i => Assert.True(i.Repaired, i.ToString()));
        Assert.Empty(await Test.UserObjectsAsync("users/ghost/"));
        Assert.Empty(await Test.UserObjectsAsync("users/zed/"));
        Assert.True(await Test.Storage.ExistsAsync(outside, Ct));

        Test.Clock.Advance(TimeSpan.FromMinutes(20)); // the removed track's sidecar is now an orphan of its own
        await EndToEndTests.ToListAsync(Test.Locker.ReconcileAllAsync(Repair, cancellationToken: Ct));
        var after = await EndToEndTests.ToListAsync(Test.Locker.ReconcileAllAsync(Repair, cancellationToken: Ct));
        Assert.Equal(users, after.Select(r => r.UserId));
        Assert.All(after, r => Assert.True(r.IsConsistent, string.Join("; ", r.Issues)));
    }

    [Fact]
    public async Task An_upload_held_open_mid_transfer_is_not_drift_even_when_older_than_the_minimum_age()
    {
        await Test.Locker.ForUser("bob").Uploads.UploadFileAsync(AudioFiles.Mp3("vbri.mp3"), cancellationToken: Ct);
        using var reached = new SemaphoreSlim(0);
        using var release = new SemaphoreSlim(0);
        int reports = 0;
        var hold = new SyncProgress<UploadProgress>(p =>
        {
            if (p.BytesTransferred > 0 && Interlocked.Increment(ref reports) == 1)
            {
                reached.Release();
                release.Wait(Ct); // the upload stops here, its first part stored and its session open
            }
        });
        byte[] file = await File.ReadAllBytesAsync(AudioFiles.Mp3("big-cover.mp3"), Ct);
        var upload = Task.Run(() => Test.Locker.ForUser("alice").Uploads.UploadAsync(new MemoryStream(file), new UploadOptions { FileName = "held.mp3" }, hold, Ct), Ct);
        await reached.WaitAsync(Ct);
        Test.Clock.Advance(TimeSpan.FromMinutes(30)); // older than MinimumAge, younger than the reservation's hour

        var reports1 = await EndToEndTests.ToListAsync(Test.Locker.ReconcileAllAsync(Repair, cancellationToken: Ct));
        Assert.All(reports1, r => Assert.True(r.IsConsistent, r.UserId + ": " + string.Join("; ", r.Issues)));
        Assert.Contains(reports1, r => r.UserId == "alice" && r.ObjectsSeen > 0);

        release.Release();
        var result = await upload;
        var copy = new MemoryStream();
        await Test.Locker.ForUser("alice").Downloads.DownloadToAsync(result.Track.Id, copy, Ct);
        Assert.Equal(file, copy.ToArray());
        Assert.All(await EndToEndTests.ToListAsync(Test.Locker.ReconcileAllAsync(Repair, cancellationToken: Ct)), r => Assert.True(r.IsConsistent, string.Join("; ", r.Issues)));
    }

    [Fact]
    public async Task It_stops_when_cancelled_and_refuses_bad_options()
    {
        foreach (string user in (string[])["a", "b", "c"])
        {
            await Test.Locker.ForUser(user).Account.RecordActivityAsync(Ct);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var seen = new List<string>();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var report in Test.Locker.ReconcileAllAsync(cancellationToken: stop.Token))
            {
                seen.Add(report.UserId);
                await stop.CancelAsync();
            }
        });
        Assert.Equal(["a"], seen);

        var error = Assert.Throws<LockerException>(() => Test.Locker.ReconcileAllAsync(new ReconcileOptions { MinimumAge = TimeSpan.FromSeconds(1) }, cancellationToken: Ct));
        Assert.Equal(LockerErrorCode.InvalidArgument, error.ErrorCode);
    }

    private static IEnumerable<ReconcileIssueKind> Kinds(IEnumerable<ReconcileReport> reports, string user) =>
        reports.Single(r => r.UserId == user).Issues.Select(i => i.Kind);

    private async Task ExecAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(FolderPath, "locker.db")};Pooling=False");
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(Ct);
    }

    /// <summary>Reports on the caller's thread (unlike <see cref="Progress{T}"/>, which posts).</summary>
    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    private sealed class SyncProgress(Action<ReconcileProgress> report) : IProgress<ReconcileProgress>
    {
        public void Report(ReconcileProgress value) => report(value);
    }
}
