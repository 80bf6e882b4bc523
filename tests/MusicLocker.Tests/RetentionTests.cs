using MusicLocker.Testing;
using MusicLocker.Testing.Logging;

namespace MusicLocker.Tests;

/// <summary>Retention on a fake clock: warned once at day 700, deleted at day 730 (not before), activity resets it, two instances agree.</summary>
public sealed class RetentionTests : FileSystemLockerTest
{
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);
    private readonly RecordingLoggerFactory _logs = new();

    private protected override void Configure(MusicLockerOptions options) => options.LoggerFactory = _logs;

    [Fact]
    public async Task An_idle_account_is_warned_once_at_day_700_and_deleted_at_day_730_not_before()
    {
        var ct = TestContext.Current.CancellationToken;
        var start = Test.Clock.GetUtcNow();
        var alice = Test.Locker.ForUser("alice");
        await alice.Uploads.UploadFileAsync(AudioFiles.Mp3("big-cover.mp3"), cancellationToken: ct);
        await alice.Playlists.CreateAsync("mix", ct);
        Assert.NotEmpty(await Test.UserObjectsAsync());

        Test.Clock.Advance(699 * Day);
        await Test.Locker.ForUser("bob").Account.RecordActivityAsync(ct); // bob is active at day 699
        var early = await Test.Locker.SweepRetentionAsync(ct);
        Assert.Empty(early.Warned);
        Assert.Empty(early.Deleted);

        Test.Clock.Advance(Day); // day 700
        var warnedNow = await Test.Locker.SweepRetentionAsync(ct);
        var warning = Assert.Single(warnedNow.Warned);
        Assert.Equal("alice", warning.UserId);
        Assert.Equal(start, warning.LastActiveAt);
        Assert.Equal(start + (730 * Day), warning.DeletionDueAt);
        Assert.Empty(warnedNow.Deleted);
        Assert.Equal(1, _logs.Count(6030));

        // Warned once: later sweeps do not warn again.
        Assert.Empty((await Test.Locker.SweepRetentionAsync(ct)).Warned);
        Test.Clock.Advance(29 * Day); // day 729
        var notYet = await Test.Locker.SweepRetentionAsync(ct);
        Assert.Empty(notYet.Warned);
        Assert.Empty(notYet.Deleted);
        await Test.Metadata.Users.GetAsync("alice", ct);
        Assert.NotEmpty(await Test.UserObjectsAsync());

        Test.Clock.Advance(Day); // day 730
        var due = await Test.Locker.SweepRetentionAsync(ct);
        var deleted = Assert.Single(due.Deleted);
        Assert.Equal("alice", deleted.UserId);
        Assert.True(deleted.KeyDestroyed);
        Assert.True(deleted.Verified);
        Assert.Empty(await Test.UserObjectsAsync());
        await Assert.ThrowsAsync<Metadata.MetadataNotFoundException>(() => Test.Metadata.Users.GetAsync("alice", ct));
        Assert.Equal(1, _logs.Count(6031));

        // bob (active at day 699) is untouched and gets his own warning only at day 699 + 700.
        await Test.Metadata.Users.GetAsync("bob", ct);
        Assert.Empty((await Test.Locker.SweepRetentionAsync(ct)).Deleted);
    }

    [Fact]
    public async Task Using_the_locker_after_the_warning_resets_the_clock_and_the_warning()
    {
        var ct = TestContext.Current.CancellationToken;
        var alice = Test.Locker.ForUser("alice");
        var track = (await alice.Uploads.UploadFileAsync(AudioFiles.Mp3("big-cover.mp3"), cancellationToken: ct)).Track;
        Test.Clock.Advance(700 * Day);
        Assert.Single((await Test.Locker.SweepRetentionAsync(ct)).Warned);

        Test.Clock.Advance(5 * Day); // day 705: alice plays a track
        await alice.Downloads.DownloadToAsync(track.Id, Stream.Null, cancellationToken: ct);

        Test.Clock.Advance(30 * Day); // day 735: past the old due date
        var after = await Test.Locker.SweepRetentionAsync(ct);
        Assert.Empty(after.Deleted);
        Assert.Empty(after.Warned);
        await Test.Metadata.Tracks.GetTrackAsync("alice", track.Id, ct); // (read behind the locker: a listing would count as use)

        // Idle again from day 705: warned anew at day 1405, deleted at 1435.
        Test.Clock.Advance((1405 - 735) * Day);
        Assert.Equal("alice", Assert.Single((await Test.Locker.SweepRetentionAsync(ct)).Warned).UserId);
        Test.Clock.Advance(30 * Day);
        Assert.Equal("alice", Assert.Single((await Test.Locker.SweepRetentionAsync(ct)).Deleted).UserId);
    }

    [Fact]
    public async Task A_user_warned_late_still_gets_the_whole_notice_period()
    {
        var ct = TestContext.Current.CancellationToken;
        await Test.Locker.ForUser("alice").Account.RecordActivityAsync(ct);
        var start = Test.Clock.GetUtcNow();

        // No sweep ran until day 800: the warning comes now, the deletion 30 days later, not at once.
        Test.Clock.Advance(800 * Day);
        var warning = Assert.Single((await Test.Locker.SweepRetentionAsync(ct)).Warned);
        Assert.Equal(start + (830 * Day), warning.DeletionDueAt);
        Test.Clock.Advance(29 * Day);
        Assert.Empty((await Test.Locker.SweepRetentionAsync(ct)).Deleted);
        Test.Clock.Advance(Day);
        Assert.Single((await Test.Locker.SweepRetentionAsync(ct)).Deleted);
    }

    [Fact]
    public async Task Two_instances_sweeping_at_once_warn_each_account_once_and_delete_it_once()
    {
        var ct = TestContext.Current.CancellationToken;
        string[] users = ["u1", "u2", "u3", "u4", "u5", "u6"];
        await Test.Locker.ForUser("u1").Uploads.UploadFileAsync(AudioFiles.Mp3("big-cover.mp3"), cancellationToken: ct);
        foreach (string user in users)
        {
            await Test.Locker.ForUser(user).Account.RecordActivityAsync(ct);
        }

        var other = await LockerUnderTest.OpenAsync(FolderPath, StorageKind.FileSystem, Test.Clock, shared: Test.Storage);
        await using (other)
        {
            Test.Clock.Advance(700 * Day);
            var warned = await Task.WhenAll(
                Task.Run(() => Test.Locker.SweepRetentionAsync(ct), ct),
                Task.Run(() => other.Locker.SweepRetentionAsync(ct), ct));
            Assert.Equal(users, warned.SelectMany(r => r.Warned).Select(w => w.UserId).Order(StringComparer.Ordinal));

            Test.Clock.Advance(30 * Day);
            var deleted = await Task.WhenAll(
                Task.Run(() => Test.Locker.SweepRetentionAsync(ct), ct),
                Task.Run(() => other.Locker.SweepRetentionAsync(ct), ct));
            Assert.Equal(users, deleted.SelectMany(r => r.Deleted).Select(d => d.UserId).Order(StringComparer.Ordinal));
            Assert.All(deleted.SelectMany(r => r.Deleted), d => Assert.True(d.Verified));
            Assert.Empty(deleted.SelectMany(r => r.Warned));
            Assert.Empty(await Test.UserObjectsAsync());
        }
    }

    [Fact]
    public async Task A_deletion_that_crashed_after_its_claim_is_taken_over_when_the_lease_ends()
    {
        var ct = TestContext.Current.CancellationToken;
        await Test.Locker.ForUser("alice").Uploads.UploadFileAsync(AudioFiles.Mp3("big-cover.mp3"), cancellationToken: ct);
        Test.Clock.Advance(700 * Day);
        await Test.Locker.SweepRetentionAsync(ct);
        Test.Clock.Advance(30 * Day);

        // Another instance claimed the deletion and died before deleting anything.
        Assert.True(await Test.Metadata.Users.TryClaimRetentionDeletionAsync("alice", 730 * Day, 30 * Day, TimeSpan.FromHours(1), ct));
        Assert.Empty((await Test.Locker.SweepRetentionAsync(ct)).Deleted);
        await Test.Locker.ForUser("alice").Account.RecordActivityAsync(ct); // a claimed account is not revived by use

        Test.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal("alice", Assert.Single((await Test.Locker.SweepRetentionAsync(ct)).Deleted).UserId);
        Assert.Empty(await Test.UserObjectsAsync());
    }

    [Fact]
    public async Task Activity_is_written_at_most_once_a_day_per_user()
    {
        var ct = TestContext.Current.CancellationToken;
        var alice = Test.Locker.ForUser("alice");
        await alice.Account.RecordActivityAsync(ct);
        Assert.False(await Test.Metadata.Users.RecordActivityAsync("alice", Day, ct)); // recorded at creation, less than a day ago

        Test.Clock.Advance(TimeSpan.FromHours(25));
        await alice.Account.RecordActivityAsync(ct);
        Assert.False(await Test.Metadata.Users.RecordActivityAsync("alice", Day, ct)); // the locker's write came first
        await alice.Account.RecordActivityAsync(ct); // same day: no write, nothing to see
        var idle = await Test.Metadata.Users.ListInactiveAsync(TimeSpan.FromHours(1), null, 10, ct);
        Assert.Empty(idle);
    }

    [Theory]
    [InlineData(1, 0.5)]
    [InlineData(730, 0)]
    [InlineData(730, 730)]
    public void Retention_options_out_of_range_are_refused_naming_the_setting(double periodDays, double leadDays)
    {
        var error = Assert.Throws<LockerException>(() => Locker.Create(Test.Storage, Test.Metadata, null, new MusicLockerOptions
        {
            Encrypt = false,
            RetentionPeriod = TimeSpan.FromDays(periodDays),
            RetentionWarningLead = TimeSpan.FromDays(leadDays),
        }));
        Assert.Equal(LockerErrorCode.InvalidArgument, error.ErrorCode);
        Assert.Contains("MusicLocker:Retention", error.Message, StringComparison.Ordinal);
    }
}
