using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using MusicLocker.Testing;
using MusicLocker.Testing.Logging;

namespace MusicLocker.Tests;

/// <summary>
/// The retention notifier on a fake clock: called once per idle spell whichever instance sweeps, a failure logged and retried
/// without holding up the others, no deletion before a delivered warning plus the lead, activity after it cancels the deletion.
/// </summary>
public sealed class RetentionNotifierTests : FileSystemLockerTest
{
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);
    private readonly RecordingLoggerFactory _logs = new();
    private readonly RecordingNotifier _notifier = new();

    private protected override void Configure(MusicLockerOptions options)
    {
        options.LoggerFactory = _logs;
        options.RetentionNotifier = _notifier;
    }

    [Fact]
    public async Task The_notifier_is_called_once_per_idle_spell_not_on_every_sweep()
    {
        var ct = TestContext.Current.CancellationToken;
        var start = Test.Clock.GetUtcNow();
        await Test.Locker.ForUser("alice").Account.RecordActivityAsync(ct);

        Test.Clock.Advance(699 * Day);
        await Test.Locker.SweepRetentionAsync(ct);
        Assert.Empty(_notifier.Calls);

        Test.Clock.Advance(Day);
        var result = await Test.Locker.SweepRetentionAsync(ct);
        var call = Assert.Single(_notifier.Calls);
        Assert.Equal(new RetentionWarning("alice", start, start + (730 * Day)), call);
        Assert.Equal(call, Assert.Single(result.Warned));
        Assert.Empty(result.Undelivered);

        for (int i = 0; i < 5; i++)
        {
            Test.Clock.Advance(Day);
            await Test.Locker.SweepRetentionAsync(ct);
        }

        Assert.Single(_notifier.Calls);

        // Activity after the warning cancels the deletion and starts a new spell: a new warning 700 days on.
        await Test.Locker.ForUser("alice").Account.RecordActivityAsync(ct);
        var back = Test.Clock.GetUtcNow();
        Test.Clock.Advance(40 * Day); // past the old due date
        Assert.Empty((await Test.Locker.SweepRetentionAsync(ct)).Deleted);
        await Test.Metadata.Users.GetAsync("alice", ct);
        Assert.Single(_notifier.Calls);

        Test.Clock.Advance(660 * Day);
        await Test.Locker.SweepRetentionAsync(ct);
        Assert.Equal(2, _notifier.Calls.Count);
        Assert.Equal(back, _notifier.Calls.Last().LastActiveAt);
        Test.Clock.Advance(30 * Day);
        Assert.Equal("alice", Assert.Single((await Test.Locker.SweepRetentionAsync(ct)).Deleted).UserId);
        Assert.Equal(2, _notifier.Calls.Count);
    }

    [Fact]
    public async Task A_failing_notice_is_logged_retried_next_sweep_and_holds_back_only_its_own_deletion()
    {
        var ct = TestContext.Current.CancellationToken;
        foreach (string user in (string[])["u1", "u2", "u3"])
        {
            await Test.Locker.ForUser(user).Account.RecordActivityAsync(ct);
        }

        _notifier.FailFor("u2", times: 2);
        Test.Clock.Advance(700 * Day);
        var first = await Test.Locker.SweepRetentionAsync(ct);
        Assert.Equal(["u1", "u3"], first.Warned.Select(w => w.UserId));
        Assert.Equal("u2", Assert.Single(first.Undelivered).UserId);
        Assert.Equal(1, _logs.Count(6033));

        Test.Clock.Advance(Day); // day 701: fails again
        var second = await Test.Locker.SweepRetentionAsync(ct);
        Assert.Empty(second.Warned);
        Assert.Equal("u2", Assert.Single(second.Undelivered).UserId);
        Assert.Equal(2, _logs.Count(6033));

        Test.Clock.Advance(Day); // day 702: delivered, so u2's deletion is due 30 days from now, not at day 730
        var third = await Test.Locker.SweepRetentionAsync(ct);
        var late = Assert.Single(third.Warned);
        Assert.Equal("u2", late.UserId);
        Assert.Equal(Test.Clock.GetUtcNow() + (30 * Day), late.DeletionDueAt);
        Assert.Equal(["u1", "u2", "u3"], _notifier.Delivered.Select(w => w.UserId).Order(StringComparer.Ordinal));

        Test.Clock.Advance(28 * Day); // day 730
        var due = await Test.Locker.SweepRetentionAsync(ct);
        Assert.Equal(["u1", "u3"], due.Deleted.Select(d => d.UserId).Order(StringComparer.Ordinal));
        await Test.Metadata.Users.GetAsync("u2", ct);

        Test.Clock.Advance(2 * Day); // day 732
        Assert.Equal("u2", Assert.Single((await Test.Locker.SweepRetentionAsync(ct)).Deleted).UserId);
        Assert.Equal(3, _notifier.Delivered.Count);
    }

    [Fact]
    public async Task A_notifier_that_never_succeeds_never_lets_the_account_be_deleted()
    {
        var ct = TestContext.Current.CancellationToken;
        await Test.Locker.ForUser("alice").Account.RecordActivityAsync(ct);
        _notifier.FailFor("alice", times: int.MaxValue);
        for (int day = 700; day <= 800; day += 10)
        {
            Test.Clock.Advance(day == 700 ? 700 * Day : 10 * Day);
            var result = await Test.Locker.SweepRetentionAsync(ct);
            Assert.Empty(result.Deleted);
            Assert.Single(result.Undelivered);
        }

        await Test.Metadata.Users.GetAsync("alice", ct);
    }

    [Fact]
    public async Task Activity_while_the_notice_is_being_sent_leaves_no_warning_standing()
    {
        var ct = TestContext.Current.CancellationToken;
        var alice = Test.Locker.ForUser("alice");
        await alice.Account.RecordActivityAsync(ct);
        _notifier.OnCall = _ => alice.Account.RecordActivityAsync(CancellationToken.None); // the user signs in mid-notice
        Test.Clock.Advance(700 * Day);
        var result = await Test.Locker.SweepRetentionAsync(ct);
        Assert.Empty(result.Warned);
        Assert.Single(_notifier.Calls);

        _notifier.OnCall = null;
        Test.Clock.Advance(60 * Day);
        var later = await Test.Locker.SweepRetentionAsync(ct);
        Assert.Empty(later.Deleted);
        Assert.Single(_notifier.Calls); // idle 60 days only: no new warning yet
    }

    [Fact]
    public async Task A_sender_that_crashed_mid_notice_is_taken_over_when_its_lease_ends()
    {
        var ct = TestContext.Current.CancellationToken;
        await Test.Locker.ForUser("alice").Account.RecordActivityAsync(ct);
        Test.Clock.Advance(700 * Day);

        // Another instance claimed the notice and died before settling it.
        Assert.True(await Test.Metadata.Users.TryClaimRetentionNoticeAsync("alice", 700 * Day, TimeSpan.FromHours(1), ct));
        Assert.False(await Test.Metadata.Users.TryClaimRetentionNoticeAsync("alice", 700 * Day, TimeSpan.FromHours(1), ct));
        Assert.False(await Test.Metadata.Users.TryMarkRetentionWarnedAsync("alice", 700 * Day, ct));
        var held = await Test.Locker.SweepRetentionAsync(ct);
        Assert.Empty(held.Warned);
        Assert.Empty(_notifier.Calls);

        Test.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal("alice", Assert.Single((await Test.Locker.SweepRetentionAsync(ct)).Warned).UserId);
        Assert.Single(_notifier.Calls);
        Assert.False(await Test.Metadata.Users.CompleteRetentionNoticeAsync("alice", delivered: true, ct)); // nothing left to settle
    }

    [Fact]
    public async Task A_cancelled_sweep_releases_the_notice_for_the_next_one()
    {
        var ct = TestContext.Current.CancellationToken;
        await Test.Locker.ForUser("alice").Account.RecordActivityAsync(ct);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        _notifier.OnCall = async _ =>
        {
            await stop.CancelAsync();
            stop.Token.ThrowIfCancellationRequested();
        };
        Test.Clock.Advance(700 * Day);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Test.Locker.SweepRetentionAsync(stop.Token));

        _notifier.OnCall = null;
        Assert.Single((await Test.Locker.SweepRetentionAsync(ct)).Warned); // no lease to wait out
        Assert.Equal(2, _notifier.Calls.Count);
    }

    [Fact]
    public async Task Two_instances_sweeping_at_once_send_each_warning_once_and_delete_each_account_once()
    {
        var ct = TestContext.Current.CancellationToken;
        string[] users = [.. Enumerable.Range(0, 12).Select(i => $"u{i:00}")];
        await Test.Locker.ForUser("u00").Uploads.UploadFileAsync(AudioFiles.Mp3("big-cover.mp3"), cancellationToken: ct);
        foreach (string user in users)
        {
            await Test.Locker.ForUser(user).Account.RecordActivityAsync(ct);
        }

        // The second instance has its own notifier (another process): the calls of both together count.
        var otherNotifier = new RecordingNotifier();
        var other = await LockerUnderTest.OpenAsync(FolderPath, StorageKind.FileSystem, Test.Clock, shared: Test.Storage, configure: o => o.RetentionNotifier = otherNotifier);
        await using (other)
        {
            Test.Clock.Advance(700 * Day);
            for (int round = 0; round < 3; round++)
            {
                await Task.WhenAll(
                    Task.Run(() => Test.Locker.SweepRetentionAsync(ct), ct),
                    Task.Run(() => other.Locker.SweepRetentionAsync(ct), ct));
            }

            Assert.Equal(users, _notifier.Calls.Concat(otherNotifier.Calls).Select(w => w.UserId).Order(StringComparer.Ordinal));

            Test.Clock.Advance(30 * Day);
            var deleted = await Task.WhenAll(
                Task.Run(() => Test.Locker.SweepRetentionAsync(ct), ct),
                Task.Run(() => other.Locker.SweepRetentionAsync(ct), ct));
            Assert.Equal(users, deleted.SelectMany(r => r.Deleted).Select(d => d.UserId).Order(StringComparer.Ordinal));
            Assert.Equal(users.Length, _notifier.Calls.Count + otherNotifier.Calls.Count);
            Assert.Empty(await Test.UserObjectsAsync());
        }
    }

    [Fact]
    public async Task A_notifier_registered_in_the_container_is_used()
    {
        var ct = TestContext.Current.CancellationToken;
        using var folder = new TempFolder();
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var notifier = new RecordingNotifier();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(clock);
        services.AddSingleton<IRetentionNotifier>(notifier);
        services.AddMusicLocker(o => o.Folder = folder.Path);
        await using var provider = services.BuildServiceProvider();
        var locker = provider.GetRequiredService<ILocker>();
        await locker.ForUser("alice").Account.RecordActivityAsync(ct);
        clock.Advance(700 * Day);
        await locker.SweepRetentionAsync(ct);
        Assert.Equal("alice", Assert.Single(notifier.Calls).UserId);
    }

    /// <summary>Records every call; fails the calls for a user a given number of times; runs a hook inside the call.</summary>
    private sealed class RecordingNotifier : IRetentionNotifier
    {
        private readonly ConcurrentDictionary<string, int> _failures = new(StringComparer.Ordinal);
        private readonly ConcurrentQueue<RetentionWarning> _calls = new();
        private readonly ConcurrentQueue<RetentionWarning> _delivered = new();

        public Func<RetentionWarning, Task>? OnCall { get; set; }

        public IReadOnlyCollection<RetentionWarning> Calls => _calls;

        public IReadOnlyCollection<RetentionWarning> Delivered => _delivered;

        public void FailFor(string userId, int times) => _failures[userId] = times;

        public async Task NotifyAsync(RetentionWarning warning, CancellationToken cancellationToken)
        {
            _calls.Enqueue(warning);
            if (OnCall is { } hook)
            {
                await hook(warning);
            }

            if (_failures.TryGetValue(warning.UserId, out int left) && left > 0)
            {
                _failures[warning.UserId] = left - 1;
                throw new InvalidOperationException($"The mail server refused the notice to {warning.UserId}.");
            }

            _delivered.Enqueue(warning);
        }
    }
}
