using MusicLocker.Testing;
using MusicLocker.Testing.Logging;

namespace MusicLocker.Tests;

/// <summary>Retention on a fake clock: warned once at day 700, deleted at day 730 (not before), activity resets it, two instances agree.</summary>
public sealed class RetentionTests : IAsyncLifetime
{
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);
    private readonly TempFolder _folder = new();
    private readonly RecordingLoggerFactory _logs = new();
    private LockerUnderTest _test = null!;

    public async ValueTask InitializeAsync() =>
        _test = await LockerUnderTest.OpenAsync(_folder.Path, StorageKind.FileSystem, configure: o => o.LoggerFactory = _logs);

    public async ValueTask DisposeAsync()
    {
        await _test.DisposeAsync();
        _folder.Dispose();
    }

    [Fact]
    public async Task An_idle_account_is_warned_once_at_day_700_and_deleted_at_day_730_not_before()
    {
        var ct = TestContext.Current.CancellationToken;
        var start = _test.Clock.GetUtcNow();
        var alice = _test.Locker.ForUser("alice");
        await alice.Uploads.UploadFileAsync(AudioFiles.Mp3("big-cover.mp3"), cancellationToken: ct);
        await alice.Playlists.CreateAsync("mix", ct);
        Assert.NotEmpty(await _test.UserObjectsAsync());

        _test.Clock.Advance(699 * Day);
        await _test.Locker.ForUser("bob").Account.RecordActivityAsync(ct); // bob is active at day 699
        var early = await _test.Locker.SweepRetentionAsync(ct);
        Assert.Empty(early.Warned);
        Assert.Empty(early.Deleted);

        _test.Clock.Advance(Day); // day 700
        var warnedNow = await _test.Locker.SweepRetentionAsync(ct);
        var warning = Assert.Single(warnedNow.Warned);
        Assert.Equal("alice", warning.UserId);
        Assert.Equal(start, warning.LastActiveAt);
        Assert.Equal(start + (730 * Day), warning.DeletionDueAt);
        Assert.Empty(warnedNow.Deleted);
        Assert.Equal(1, _logs.Count(6030));

        // Warned once: later sweeps do not warn again.
        Assert.Empty((await _test.Locker.SweepRetentionAsync(ct)).Warned);
        _test.Clock.Advance(29 * Day); // day 729
        var notYet = await _test.Locker.SweepRetentionAsync(ct);
        Assert.Empty(notYet.Warned);
        Assert.Empty(notYet.Deleted);
        await _test.Metadata.Users.GetAsync("alice", ct);
        Assert.NotEmpty(await _test.UserObjectsAsync());

        _test.Clock.Advance(Day); // day 730
        var due = await _test.Locker.SweepRetentionAsync(ct);
        var deleted = Assert.Single(due.Deleted);
        Assert.Equal("alice", deleted.UserId);
        Assert.True(deleted.KeyDestroyed);
        Assert.True(deleted.Verified);
        Assert.Empty(await _test.UserObjectsAsync());
        await Assert.ThrowsAsync<Metadata.MetadataNotFoundException>(() => _test.Metadata.Users.GetAsync("alice", ct));
        Assert.Equal(1, _logs.Count(6031));

        // bob (active at day 699) is untouched and gets his own warning only at day 699 + 700.
        await _test.Metadata.Users.GetAsync("bob", ct);
        Assert.Empty((await _test.Locker.SweepRetentionAsync(ct)).Deleted);
    }

    [Fact]
    public async Task Using_the_locker_after_the_warning_resets_the_clock_and_the_warning()
    {
        var ct = TestContext.Current.CancellationToken;
        var alice = _test.Locker.ForUser("alice");
        var track = (await alice.Uploads.UploadFileAsync(AudioFiles.Mp3("big-cover.mp3"), cancellationToken: ct)).Track;
        _test.Clock.Advance(700 * Day);
        Assert.Single((await _test.Locker.SweepRetentionAsync(ct)).Warned);

        _test.Clock.Advance(5 * Day); // day 705: alice plays a track
        await alice.Downloads.DownloadToAsync(track.Id, Stream.Null, cancellationToken: ct);

        _test.Clock.Advance(30 * Day); // day 735: past the old due date
        var after = await _test.Locker.SweepRetentionAsync(ct);
        Assert.Empty(after.Deleted);
        Assert.Empty(after.Warned);
        await _test.Metadata.Tracks.GetTrackAsync("alice", track.Id, ct); // (read behind the locker: a listing would count as use)

        // Idle again from day 705: warned anew at day 1405, deleted at 1435.
        _test.Clock.Advance((1405 - 735) * Day);
        Assert.Equal("alice", Assert.Single((await _test.Locker.SweepRetentionAsync(ct)).Warned).UserId);
        _test.Clock.Advance(30 * Day);
        Assert.Equal("alice", Assert.Single((await _test.Locker.SweepRetentionAsync(ct)).Deleted).UserId);
    }

    [Fact]
    public async Task A_user_warned_late_still_gets_the_whole_notice_period()
    {
        var ct = TestContext.Current.CancellationToken;
        await _test.Locker.ForUser("alice").Account.RecordActivityAsync(ct);
        var start = _test.Clock.GetUtcNow();

        // No sweep ran until day 800: the warning comes now, the deletion 30 days later, not at once.
        _test.Clock.Advance(800 * Day);
        var warning = Assert.Single((await _test.Locker.SweepRetentionAsync(ct)).Warned);
        Assert.Equal(start + (830 * Day), warning.DeletionDueAt);
        _test.Clock.Advance(29 * Day);
        Assert.Empty((await _test.Locker.SweepRetentionAsync(ct)).Deleted);
        _test.Clock.Advance(Day);
        Assert.Single((await _test.Locker.SweepRetentionAsync(ct)).Deleted);
    }

    [Fact]
    public async Task Two_instances_sweeping_at_once_warn_each_account_once_and_delete_it_once()
    {
        var ct = TestContext.Current.CancellationToken;
        string[] users = ["u1", "u2", "u3", "u4", "u5", "u6"];
        await _test.Locker.ForUser("u1").Uploads.UploadFileAsync(AudioFiles.Mp3("big-cover.mp3"), cancellationToken: ct);
        foreach (string user in users)
        {
            await _test.Locker.ForUser(user).Account.RecordActivityAsync(ct);
        }

        var other = await LockerUnderTest.OpenAsync(_folder.Path, StorageKind.FileSystem, _test.Clock, shared: _test.Storage);
        await using (other)
        {
            _test.Clock.Advance(700 * Day);
            var warned = await Task.WhenAll(
                Task.Run(() => _test.Locker.SweepRetentionAsync(ct), ct),
                Task.Run(() => other.Locker.SweepRetentionAsync(ct), ct));
            Assert.Equal(users, warned.SelectMany(r => r.Warned).Select(w => w.UserId).Order(StringComparer.Ordinal));

            _test.Clock.Advance(30 * Day);
            var deleted = await Task.WhenAll(
                Task.Run(() => _test.Locker.SweepRetentionAsync(ct), ct),
                Task.Run(() => other.Locker.SweepRetentionAsync(ct), ct));
            Assert.Equal(users, deleted.SelectMany(r => r.Deleted).Select(d => d.UserId).Order(StringComparer.Ordinal));
            Assert.All(deleted.SelectMany(r => r.Deleted), d => Assert.True(d.Verified));
            Assert.Empty(deleted.SelectMany(r => r.Warned));
            Assert.Empty(await _test.UserObjectsAsync());
        }
    }

    [Fact]
    public async Task A_deletion_that_crashed_after_its_claim_is_taken_over_when_the_lease_ends()
    {
        var ct = TestContext.Current.CancellationToken;
        await _test.Locker.ForUser("alice").Uploads.UploadFileAsync(AudioFiles.Mp3("big-cover.mp3"), cancellationToken: ct);
        _test.Clock.Advance(700 * Day);
        await _test.Locker.SweepRetentionAsync(ct);
        _test.Clock.Advance(30 * Day);

        // Another instance claimed the deletion and died before deleting anything.
        Assert.True(await _test.Metadata.Users.TryClaimRetentionDeletionAsync("alice", 730 * Day, 30 * Day, TimeSpan.FromHours(1), ct));
        Assert.Empty((await _test.Locker.SweepRetentionAsync(ct)).Deleted);
        await _test.Locker.ForUser("alice").Account.RecordActivityAsync(ct); // a claimed account is not revived by use

        _test.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal("alice", Assert.Single((await _test.Locker.SweepRetentionAsync(ct)).Deleted).UserId);
        Assert.Empty(await _test.UserObjectsAsync());
    }

    [Fact]
    public async Task Activity_is_written_at_most_once_a_day_per_user()
    {
        var ct = TestContext.Current.CancellationToken;
        var alice = _test.Locker.ForUser("alice");
        await alice.Account.RecordActivityAsync(ct);
        Assert.False(await _test.Metadata.Users.RecordActivityAsync("alice", Day, ct)); // recorded at creation, less than a day ago

        _test.Clock.Advance(TimeSpan.FromHours(25));
        await alice.Account.RecordActivityAsync(ct);
        Assert.False(await _test.Metadata.Users.RecordActivityAsync("alice", Day, ct)); // the locker's write came first
        await alice.Account.RecordActivityAsync(ct); // same day: no write, nothing to see
        var idle = await _test.Metadata.Users.ListInactiveAsync(TimeSpan.FromHours(1), null, 10, ct);
        Assert.Empty(idle);
    }

    [Theory]
    [InlineData(1, 0.5)]
    [InlineData(730, 0)]
    [InlineData(730, 730)]
    public void Retention_options_out_of_range_are_refused_naming_the_setting(double periodDays, double leadDays)
    {
        var error = Assert.Throws<LockerException>(() => Locker.Create(_test.Storage, _test.Metadata, null, new MusicLockerOptions
        {
            Encrypt = false,
            RetentionPeriod = TimeSpan.FromDays(periodDays),
            RetentionWarningLead = TimeSpan.FromDays(leadDays),
        }));
        Assert.Equal(LockerErrorCode.InvalidArgument, error.ErrorCode);
        Assert.Contains("MusicLocker:Retention", error.Message, StringComparison.Ordinal);
    }
}
