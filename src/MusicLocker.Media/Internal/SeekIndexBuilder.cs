namespace MusicLocker.Media.Internal;

/// <summary>Collects every Nth frame start during a single pass.</summary>
internal sealed class SeekIndexBuilder
{
    private readonly List<long> _timestamps = [];
    private readonly List<long> _offsets = [];
    private long _nextTimestamp;

    public SeekIndexBuilder(int timescale, long interval)
    {
        Timescale = timescale;
        Interval = Math.Max(1, interval);
    }

    public int Timescale { get; }

    public long Interval { get; }

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

        _timestamps.Add(timestamp);
        _offsets.Add(offset);
        if (timestamp != Interval * (_timestamps.Count - 1))
        {
            Evenly = false;
        }

        _nextTimestamp = Interval * _timestamps.Count;
        if (_nextTimestamp <= timestamp)
        {
            _nextTimestamp = timestamp + 1;
        }
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
        _nextTimestamp = n == 0 ? 0 : Math.Max(Interval * n, _timestamps[n - 1] + 1);
    }

    public SeekIndex Build(long totalDuration) =>
        new(Timescale, totalDuration, Evenly ? Interval : 0, [.. _timestamps], [.. _offsets]);
}
