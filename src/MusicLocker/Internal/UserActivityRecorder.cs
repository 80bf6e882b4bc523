using System.Collections.Concurrent;

namespace MusicLocker.Internal;

/// <summary>
/// Records account activity for retention cheaply: the first use of a user's locker in a UTC day (per process) writes
/// once to the database, and the database itself skips the write when the last one is less than a day old (several
/// processes). Every later call that day is a dictionary lookup. What counts as activity: docs/architecture.md.
/// </summary>
internal sealed class UserActivityRecorder(LockerCore core)
{
    private static readonly TimeSpan Interval = TimeSpan.FromDays(1);

    // The users recorded on one UTC day; replaced (not grown) when the day changes, so memory is bounded by a day's users.
    private DayRecord _today = new(-1);

    public async Task TouchAsync(string userId, CancellationToken cancellationToken)
    {
        long day = core.Time.GetUtcNow().UtcTicks / TimeSpan.TicksPerDay;
        var today = Volatile.Read(ref _today);
        if (today.Day != day)
        {
            var fresh = new DayRecord(day);
            today = Interlocked.CompareExchange(ref _today, fresh, today) == today ? fresh : Volatile.Read(ref _today);
        }

        if (!today.Users.TryAdd(userId, 0))
        {
            return;
        }

        try
        {
            await core.Metadata.Users.RecordActivityAsync(userId, Interval, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            today.Users.TryRemove(userId, out _); // not recorded: the next use tries again
            throw;
        }
    }

    private sealed class DayRecord(long day)
    {
        public long Day { get; } = day;

        public ConcurrentDictionary<string, byte> Users { get; } = new(StringComparer.Ordinal);
    }
}
