using System.IO.Compression;
using MusicLocker.Metadata.Tests.Servers;
using MusicLocker.Storage;
using MusicLocker.Testing;

namespace MusicLocker.Tests;

/// <summary>Retention, reconcile and export on PostgreSQL: the new SQL (activity, claims, key-ordered catalog, reservations, usage, plays) on the server dialect.</summary>
public sealed class PostgresLifecycleTests(PostgresServer server) : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private LockerUnderTest _test = null!;

    public async ValueTask InitializeAsync() => _test = await LockerUnderTest.OpenAsync(_folder.Path, StorageKind.FileSystem, postgres: server);

    public async ValueTask DisposeAsync()
    {
        if (_test is not null)
        {
            await _test.DisposeAsync();
        }

        _folder.Dispose();
    }

    [Fact]
    public async Task Retention_reconcile_and_export_run_on_postgres()
    {
        var ct = TestContext.Current.CancellationToken;
        var alice = _test.Locker.ForUser("alice");
        var bob = _test.Locker.ForUser("bob");
        var track = (await alice.Uploads.UploadFileAsync(AudioFiles.Mp3("big-cover.mp3"), cancellationToken: ct)).Track;
        var second = (await alice.Uploads.UploadFileAsync(AudioFiles.Mp3("vbr-noheader.mp3"), cancellationToken: ct)).Track;
        await alice.History.RecordPlayAsync(track.Id, ct);
        await bob.Account.RecordActivityAsync(ct);

        // Export: the plays and the catalog come from the server.
        var zip = new MemoryStream();
        var exported = await alice.Account.ExportToZipAsync(zip, cancellationToken: ct);
        Assert.Equal(new ExportResult(2, 0, 1, track.SizeBytes + second.SizeBytes), exported);
        using (var archive = new ZipArchive(new MemoryStream(zip.ToArray()), ZipArchiveMode.Read))
        {
            Assert.Equal(4, archive.Entries.Count);
        }

        // Reconcile: an orphan, a missing object and a leaked reservation, repaired.
        await _test.Storage.PutBytesAsync(BlobKey.Parse("users/alice/tracks/" + Guid.NewGuid().ToString("N")), new byte[9], cancellationToken: ct);
        await _test.Storage.DeleteAsync(BlobKey.Parse((await _test.Metadata.Tracks.GetTrackAsync("alice", second.Id, ct)).StorageKey), cancellationToken: ct);
        await _test.Metadata.Quota.ReserveAsync("alice", 100, ct);
        _test.Clock.Advance(TimeSpan.FromMinutes(20));
        var report = await _test.Locker.ReconcileAsync("alice", new ReconcileOptions { Repair = true, RemoveTracksWithoutObjects = true }, ct);
        Assert.Equal(
            new[] { ReconcileIssueKind.TrackWithoutObject, ReconcileIssueKind.ObjectWithoutTrack, ReconcileIssueKind.LeakedReservation }.Order(),
            report.Issues.Select(i => i.Kind).Order());
        Assert.All(report.Issues, i => Assert.True(i.Repaired));
        _test.Clock.Advance(TimeSpan.FromMinutes(20));
        await _test.Locker.ReconcileAsync("alice", new ReconcileOptions { Repair = true }, ct); // the removed track's sidecar
        Assert.True((await _test.Locker.ReconcileAsync("alice", new ReconcileOptions { Repair = true }, ct)).IsConsistent);

        // Retention: bob stays active, alice is warned at day 700 and deleted at 730.
        _test.Clock.Advance(TimeSpan.FromDays(700));
        var warned = await _test.Locker.SweepRetentionAsync(ct);
        Assert.Equal(["alice", "bob"], warned.Warned.Select(w => w.UserId).Order(StringComparer.Ordinal));
        await bob.Account.RecordActivityAsync(ct);
        _test.Clock.Advance(TimeSpan.FromDays(30));
        var deleted = await _test.Locker.SweepRetentionAsync(ct);
        Assert.Equal("alice", Assert.Single(deleted.Deleted).UserId);
        Assert.Empty(await _test.UserObjectsAsync("users/alice/"));
        await _test.Metadata.Users.GetAsync("bob", ct);
    }
}
