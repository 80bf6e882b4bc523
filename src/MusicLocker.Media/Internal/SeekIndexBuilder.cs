namespace MusicLocker.Media.Internal;

/// <summary>
/// Collects the first frame at or after every interval mark during a single pass. Holds at most
/// <c>maxEntries</c>: when a track needs more, the interval doubles and every other entry goes (each kept entry is still
/// the first frame at or after a mark of the new interval), so a file cannot size the index by the time it claims.
/// </summary>
internal sealed class SeekIndexBuilder
{
    private readonly List<long> _timestamps = [];
    private readonly List<long> _offsets = [];
    private readonly int _maxEntries;
    private long _nextTimestamp;

    public SeekIndexBuilder(int timescale, long interval, int maxEntries)
        : this(timescale, interval, maxEntries, origin: 0)
    {
    }

    /// <summary>
    /// A builder whose first frame comes at <paramref name="origin"/> (the fragments after an MP4's sample tables): its
    /// marks stay the multiples of the interval, so its entries can be <see cref="Append"/>ed to the builder before it.
    /// </summary>
    public SeekIndexBuilder(int timescale, long interval, int maxEntries, long origin)
    {
        Timescale = timescale;
        Interval = Math.Max(1, interval);
        _maxEntries = Math.Max(2, maxEntries);
        _marksBefore = origin <= 0 ? 0 : (origin + Interval - 1) / Interval;
        _nextTimestamp = _marksBefore * Interval;
    }

    private long _marksBefore;

    public int Timescale { get; }

    public long Interval { get; private set; }

    public bool Evenly { get; set; } = true;

    /// <summary>The timestamp at or after which the next frame is kept.</summary>
    public long NextTimestamp => _nextTimestamp;

    /// <summary>Records a frame starting at <paramref name="timestamp"/>; keeps it when it is the first at or past the next interval mark.</summary>
    public void Add(long timestamp, long offset)
    {
        if (timestamp < _nextTimestamp)
        {
            return;
        }

        if (_timestamps.Count == _maxEntries)
        {
            Coarsen();
            if (timestamp < _nextTimestamp)
            {
                return;
            }
        }

        _timestamps.Add(timestamp);
        _offsets.Add(offset);
        if (timestamp != Interval * (_timestamps.Count - 1))
        {
            Evenly = false;
        }

        Advance();
    }

    /// <summary>Drops entries at or past <paramref name="offset"/> (frames found to be inside a trailing tag).</summary>
    public void TruncateAt(long offset)
    {
        int n = _offsets.Count;
        while (n > 0 && _offsets[n - 1] >= offset)
        {
            n--;
        }

        _offsets.RemoveRange(n, _offsets.Count - n);
        _timestamps.RemoveRange(n, _timestamps.Count - n);
        Advance();
    }

    /// <summary>Adds the entries of <paramref name="other"/> (same timescale), their times moved by <paramref name="shift"/>.</summary>
    public void Append(SeekIndexBuilder other, long shift)
    {
        for (int i = 0; i < other._timestamps.Count; i++)
        {
            Add(other._timestamps[i] + shift, other._offsets[i]);
        }
    }

    public SeekIndex Build(long totalDuration) =>
        Evenly && Interval <= int.MaxValue
            ? new(Timescale, totalDuration, Interval, null, [.. _offsets])
            : new(Timescale, totalDuration, 0, [.. _timestamps], [.. _offsets]);

    /// <summary>Doubles the interval and keeps the entries at its marks (the even ones).</summary>
    private void Coarsen()
    {
        int kept = 0;
        for (int i = 0; i < _timestamps.Count; i += 2)
        {
            _timestamps[kept] = _timestamps[i];
            _offsets[kept] = _offsets[i];
            kept++;
        }

        _timestamps.RemoveRange(kept, _timestamps.Count - kept);
        _offsets.RemoveRange(kept, _offsets.Count - kept);
        Interval *= 2;
        _marksBefore = (_marksBefore + 1) / 2;
        Advance();
    }

    private void Advance()
    {
        int n = _timestamps.Count;
        _nextTimestamp = n == 0 ? Interval * _marksBefore : Math.Max(Interval * (n + _marksBefore), _timestamps[n - 1] + 1);
    }
}
