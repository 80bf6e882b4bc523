using System.Collections.Concurrent;

namespace MusicLocker.AspNetCore.Subsonic;

/// <summary>
/// Counts failed authentications per key (a username, a client address) in fixed windows on a <see cref="TimeProvider"/>;
/// a key over the limit is refused, without checking its credentials, until its window ends. Bounded: when the table
/// grows past <see cref="MaxKeys"/>, expired windows are dropped, and if that is not enough the oldest half is.
/// </summary>
internal sealed class FailedAttemptLimiter(int maxFailures, TimeSpan window, TimeProvider time)
{
    public const int MaxKeys = 100_000;

    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);

    /// <summary>Whether <paramref name="key"/> is refused now, and for how long.</summary>
    public bool IsBlocked(string key, out TimeSpan retryAfter)
    {
        long now = time.GetUtcNow().UtcTicks;
        if (_windows.TryGetValue(key, out var w) && w.Failures >= maxFailures)
        {
            var left = window - TimeSpan.FromTicks(now - w.StartedAt);
            if (left > TimeSpan.Zero)
            {
                retryAfter = left;
                return true;
            }
        }

        retryAfter = TimeSpan.Zero;
        return false;
    }

    public void RecordFailure(string key)
    {
        long now = time.GetUtcNow().UtcTicks;
        _windows.AddOrUpdate(
            key,
            static (_, now) => new Window(now, 1),
            (_, w, now) => TimeSpan.FromTicks(now - w.StartedAt) >= window ? new Window(now, 1) : w with { Failures = w.Failures + 1 },
            now);
        if (_windows.Count > MaxKeys)
        {
            Trim(now);
        }
    }

    /// <summary>A success does not erase failures: an attacker who also holds one valid key cannot reset the count.</summary>
    private void Trim(long now)
    {
        foreach (var (key, w) in _windows)
        {
            if (TimeSpan.FromTicks(now - w.StartedAt) >= window)
            {
                _windows.TryRemove(key, out _);
            }
        }

        if (_windows.Count > MaxKeys)
        {
            var oldest = _windows.OrderBy(static p => p.Value.StartedAt).Take(_windows.Count / 2).Select(static p => p.Key).ToList();
            foreach (var key in oldest)
            {
                _windows.TryRemove(key, out _);
            }
        }
    }

    private readonly record struct Window(long StartedAt, int Failures);
}
