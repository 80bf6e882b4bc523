using System.Collections.Concurrent;

namespace MusicLocker.AspNetCore.Subsonic;

/// <summary>
/// Turns the Subsonic API's offset paging into the locker's keyset paging. After serving offset <c>o</c> with <c>n</c>
/// items it remembers the cursor of offset <c>o + n</c> (per user and listing, for <see cref="Lifetime"/>), so a player
/// walking a listing page by page (as full-library syncs do) reads each page from its cursor: the last page costs what
/// the first does. An offset nobody reached before is walked to from the start in pages of 500, or, for a listing
/// that can skip (<see cref="SeekPageAsync"/>), asked for directly: the listing seeks to it in its own index.
/// </summary>
internal sealed class OffsetPager(TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);
    private const int MaxEntries = 50_000;
    private const int WalkPage = 500;

    private readonly ConcurrentDictionary<(string User, string Listing, int Offset), (string Cursor, long At)> _cursors = new();

    /// <summary>Cursors looked up (tests compare these with <see cref="Walked"/> to see that paging stayed on cursors).</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Pages read only to reach an offset.</summary>
    public long Walked => Interlocked.Read(ref _walked);

    private long _hits;
    private long _walked;

    /// <summary>A page of a listing that reads <c>count</c> items from a cursor.</summary>
    public Task<IReadOnlyList<T>> PageAsync<T>(string user, string listing, int offset, int count, Func<int, string?, Task<LockerPage<T>>> fetch) =>
        PageAsync(user, listing, offset, count, (_, n, cursor) => fetch(n, cursor), canSkip: false);

    /// <summary>A page of a listing that reads <c>count</c> items after skipping <c>skip</c> from a cursor (<see langword="null"/>: the start).</summary>
    public Task<IReadOnlyList<T>> SeekPageAsync<T>(string user, string listing, int offset, int count, Func<int, int, string?, Task<LockerPage<T>>> fetch) =>
        PageAsync(user, listing, offset, count, fetch, canSkip: true);

    private async Task<IReadOnlyList<T>> PageAsync<T>(string user, string listing, int offset, int count, Func<int, int, string?, Task<LockerPage<T>>> fetch, bool canSkip)
    {
        if (count <= 0)
        {
            return [];
        }

        string? cursor = null;
        int at = 0;
        if (offset > 0 && _cursors.TryGetValue((user, listing, offset), out var known) && TimeSpan.FromTicks(time.GetUtcNow().UtcTicks - known.At) < Lifetime)
        {
            Interlocked.Increment(ref _hits);
            cursor = known.Cursor;
            at = offset;
        }

        while (at < offset && !canSkip)
        {
            Interlocked.Increment(ref _walked);
            var skipped = await fetch(0, Math.Min(WalkPage, offset - at), cursor).ConfigureAwait(false);
            at += skipped.Items.Count;
            cursor = skipped.NextCursor;
            if (cursor is null)
            {
                return [];
            }
        }

        var page = await fetch(offset - at, count, cursor).ConfigureAwait(false);
        if (page.NextCursor is { } next)
        {
            if (_cursors.Count >= MaxEntries)
            {
                _cursors.Clear();
            }

            _cursors[(user, listing, offset + page.Items.Count)] = (next, time.GetUtcNow().UtcTicks);
        }

        return page.Items;
    }
}
