using Microsoft.Data.Sqlite;
using MusicLocker.Storage;
using MusicLocker.Testing;

namespace MusicLocker.Tests;

/// <summary>Reconcile: each kind of drift made directly in storage or the database, reported, then repaired; uploads in flight untouched.</summary>
public sealed class ReconcileTests : FileSystemLockerTest
{
    private static readonly ReconcileOptions Repair = new() { Repair = true };

    [Fact]
    public async Task A_consistent_locker_reports_nothing()
    {
        var alice = Test.Locker.ForUser("alice");
        await alice.Uploads.UploadFileAsync(AudioFiles.Mp3("big-cover.mp3"), cancellationToken: Ct);
        await alice.Uploads.UploadFileAsync(AudioFiles.M4a("moov-at-end.m4a"), new UploadOptions { IsPurchased = true }, cancellationToken: Ct);
        Test.Clock.Advance(TimeSpan.FromDays(2));

        var report = await Test.Locker.ReconcileAsync("alice", Repair, Ct);

        Assert.True(report.IsConsistent, string.Join("; ", report.Issues));
        Assert.Equal(2, report.TracksSeen);
        Assert.Equal(4, report.ObjectsSeen); // two files, two sidecars
    }

    [Fact]
    public async Task An_object_without_a_track_is_reported_once_old_enough_and_deleted_on_repair()
    {
        var alice = Test.Locker.ForUser("alice");
        await alice.Uploads.UploadFileAsync(AudioFiles.Mp3("big-cover.mp3"), cancellationToken: Ct);
        var orphan = BlobKey.Parse("users/alice/tracks/" + Guid.NewGuid().ToString("N"));
        var stray = BlobKey.Parse("users/alice/elsewhere/file");
        await Test.Storage.PutBytesAsync(orphan, new byte[1234], cancellationToken: Ct);
        await Test.Storage.PutBytesAsync(stray, new byte[10], cancellationToken: Ct);

        Assert.True((await Test.Locker.ReconcileAsync("alice", Repair, Ct)).IsConsistent); // young: maybe an upload between steps
        Test.Clock.Advance(TimeSpan.FromMinutes(16));

        var found = await Test.Locker.ReconcileAsync("alice", cancellationToken: Ct);
        Assert.Equal([(ReconcileIssueKind.ObjectWithoutTrack, stray.Value, false), (ReconcileIssueKind.ObjectWithoutTrack, orphan.Value, false)],
            found.Issues.Select(i => (i.Kind, i.Subject, i.Repaired)));
        Assert.Contains(orphan.Value, await Test.UserObjectsAsync());

        var repaired = await Test.Locker.ReconcileAsync("alice", Repair, Ct);
        Assert.All(repaired.Issues, i => Assert.True(i.Repaired));
        Assert.DoesNotContain(orphan.Value, await Test.UserObjectsAsync());
        Assert.True((await Test.Locker.ReconcileAsync("alice", Repair, Ct)).IsConsistent);
        Assert.Single(await EndToEndTests.ToListAsync(alice.Tracks.ListAsync(cancellationToken: Ct)));
    }

    [Fact]
    public async Task A_track_without_its_object_is_reported_and_removed_only_when_asked()
    {
        var alice = Test.Locker.ForUser("alice");
        var track = (await alice.Uploads.UploadFileAsync(AudioFiles.Mp3("big-cover.mp3"), cancellationToken: Ct)).Track;
        var kept = (await alice.Uploads.UploadFileAsync(AudioFiles.Mp3("vbr-noheader.mp3"), cancellationToken: Ct)).Track;
        string audio = (await Test.Metadata.Tracks.GetTrackAsync("alice", track.Id, Ct)).StorageKey;
        await Test.Storage.DeleteAsync(BlobKey.Parse(audio), cancellationToken: Ct);
        Test.Clock.Advance(TimeSpan.FromDays(1));

        var found = await Test.Locker.ReconcileAsync("alice", Repair, Ct);
        var issue = Assert.Single(found.Issues);
        Assert.Equal((ReconcileIssueKind.TrackWithoutObject, track.Id.ToString(), false), (issue.Kind, issue.Subject, issue.Repaired));
        await alice.Tracks.GetAsync(track.Id, Ct);

        var removed = await Test.Locker.ReconcileAsync("alice", Repair with { RemoveTracksWithoutObjects = true }, Ct);
        Assert.True(Assert.Single(removed.Issues).Repaired);
        Assert.Equal(LockerErrorCode.TrackNotFound, (await Assert.ThrowsAsync<LockerException>(() => alice.Tracks.GetAsync(track.Id, Ct))).ErrorCode);
        Assert.Equal(kept.SizeBytes, (await alice.Quota.GetStatusAsync(Ct)).UsedBytes);

        // Its sidecar is now unreferenced: the next repair removes it, then all agrees.
        var sidecar = await Test.Locker.ReconcileAsync("alice", Repair, Ct);
        Assert.Equal((ReconcileIssueKind.ObjectWithoutTrack, audio + ".info", true), (Assert.Single(sidecar.Issues).Kind, sidecar.Issues[0].Subject, sidecar.Issues[0].Repaired));
        Assert.True((await Test.Locker.ReconcileAsync("alice", Repair, Ct)).IsConsistent);
    }

    [Fact]
    public async Task Ledger_counters_that_disagree_with_the_charges_and_reservations_are_reported_and_reset()
    {
        var alice = Test.Locker.ForUser("alice");
        var track = (await alice.Uploads.UploadFileAsync(AudioFiles.Mp3("big-cover.mp3"), cancellationToken: Ct)).Track;
        await ExecAsync("UPDATE locker_users SET used_bytes = used_bytes + 1000, reserved_bytes = 777 WHERE user_id = 'alice'");
        await ExecAsync("UPDATE tracks SET size_bytes = size_bytes + 1 WHERE user_id = 'alice'");

        var found = await Test.Locker.ReconcileAsync("alice", cancellationToken: Ct);
        Assert.Equal([ReconcileIssueKind.SizeMismatch, ReconcileIssueKind.ChargeMismatch, ReconcileIssueKind.ReservedMismatch], found.Issues.Select(i => i.Kind));
        Assert.Equal(track.SizeBytes + 1000, (await alice.Quota.GetStatusAsync(Ct)).UsedBytes);

        var repaired = await Test.Locker.ReconcileAsync("alice", Repair, Ct);
        Assert.Equal([false, true, true], repaired.Issues.Select(i => i.Repaired)); // a size mismatch is reported only
        var quota = await alice.Quota.GetStatusAsync(Ct);
        Assert.Equal(track.SizeBytes, quota.UsedBytes);
        Assert.Equal(0, quota.ReservedBytes);
    }

    [Fact]
    public async Task A_reservation_no_upload_owns_is_released_once_old_enough_an_open_uploads_is_not()
    {
        var alice = Test.Locker.ForUser("alice");
        var pending = await SyncProgress.InterruptAsync(alice, AudioFiles.Mp3("big-cover.mp3"));
        var owned = await Test.Locker.ForUser("alice").Quota.GetStatusAsync(Ct);
        var leaked = await Test.Metadata.Quota.ReserveAsync("alice", 5000, Ct);
        var objectsBefore = await Test.UserObjectsAsync();

        Assert.True((await Test.Locker.ReconcileAsync("alice", Repair, Ct)).IsConsistent);
        Test.Clock.Advance(TimeSpan.FromMinutes(30)); // older than MinimumAge, younger than the reservations' hour

        var report = await Test.Locker.ReconcileAsync("alice", Repair, Ct);

        var issue = Assert.Single(report.Issues);
        Assert.Equal((ReconcileIssueKind.LeakedReservation, leaked.Id.ToString(), true), (issue.Kind, issue.Subject, issue.Repaired));
        Assert.Equal(owned.ReservedBytes, (await alice.Quota.GetStatusAsync(Ct)).ReservedBytes);
        Assert.Equal(objectsBefore, await Test.UserObjectsAsync()); // the open upload's objects are never drift

        var resumed = await alice.Uploads.ResumeAsync(pending.Id, AudioFiles.Mp3("big-cover.mp3"), cancellationToken: Ct);
        Assert.Equal(UploadOutcome.Stored, resumed.Outcome);
        Assert.True((await Test.Locker.ReconcileAsync("alice", Repair, Ct)).IsConsistent);
    }

    [Fact]
    public async Task Uploads_running_during_repairing_reconciles_are_not_harmed()
    {
        var alice = Test.Locker.ForUser("alice");
        string[] files = [AudioFiles.Mp3("big-cover.mp3"), AudioFiles.Mp3("vbr-noheader.mp3"), AudioFiles.Aac("lc-44k-stereo.aac"), AudioFiles.M4a("moov-at-end.m4a"), AudioFiles.Mp3("vbri.mp3")];
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reconciles = Task.Run(async () =>
        {
            int runs = 0;
            do
            {
                var reconcile = Test.Locker.ReconcileAsync("alice", Repair with { RemoveTracksWithoutObjects = true }, Ct);
                running.TrySetResult(); // the uploads start while the first reconcile runs, however fast they are
                var report = await reconcile;
                Assert.DoesNotContain(report.Issues, i => i.Kind is ReconcileIssueKind.TrackWithoutObject or ReconcileIssueKind.ObjectWithoutTrack);
                runs++;
            }
            while (!stop.IsCancellationRequested);

            return runs;
        }, Ct);

        await running.Task.WaitAsync(Ct);
        var uploads = await Task.WhenAll(files.Select(f => Task.Run(() => alice.Uploads.UploadFileAsync(f, cancellationToken: Ct), Ct)));
        stop.Cancel();
        Assert.True(await reconciles > 0);

        foreach (var (result, file) in uploads.Zip(files))
        {
            var copy = new MemoryStream();
            await alice.Downloads.DownloadToAsync(result.Track.Id, copy, cancellationToken: Ct);
            Assert.Equal(await File.ReadAllBytesAsync(file, Ct), copy.ToArray());
        }

        Assert.Equal(uploads.Sum(u => u.Track.SizeBytes), (await alice.Quota.GetStatusAsync(Ct)).UsedBytes);
        Test.Clock.Advance(TimeSpan.FromHours(2));
        Assert.True((await Test.Locker.ReconcileAsync("alice", Repair, Ct)).IsConsistent);
    }

    [Fact]
    public async Task A_deleted_accounts_leftovers_are_objects_without_tracks_and_bad_options_are_refused()
    {
        await Test.Storage.PutBytesAsync(BlobKey.Parse("users/ghost/tracks/" + Guid.NewGuid().ToString("N")), new byte[5], cancellationToken: Ct);
        Test.Clock.Advance(TimeSpan.FromHours(1));

        var report = await Test.Locker.ReconcileAsync("ghost", Repair, Ct);

        Assert.Equal(ReconcileIssueKind.ObjectWithoutTrack, Assert.Single(report.Issues).Kind);
        Assert.Empty(await Test.UserObjectsAsync("users/ghost/"));
        var error = await Assert.ThrowsAsync<LockerException>(() => Test.Locker.ReconcileAsync("alice", new ReconcileOptions { MinimumAge = TimeSpan.FromSeconds(5) }, Ct));
        Assert.Equal(LockerErrorCode.InvalidArgument, error.ErrorCode);
        Assert.Equal(LockerErrorCode.InvalidArgument, (await Assert.ThrowsAsync<LockerException>(() => Test.Locker.ReconcileAsync("../x", null, Ct))).ErrorCode);
    }

    private async Task ExecAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(FolderPath, "locker.db")};Pooling=False");
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(Ct);
    }
}
