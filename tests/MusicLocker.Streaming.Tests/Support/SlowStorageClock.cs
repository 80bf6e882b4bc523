namespace MusicLocker.Streaming.Tests.Support;

/// <summary>
/// A clock on which every interval measured takes <paramref name="step"/>: each timestamp is one step after the last. Given
/// to a <see cref="BlobRangeReader"/>, every storage read looks that slow — a cloud store, without any real waiting.
/// </summary>
internal sealed class SlowStorageClock(TimeSpan step) : TimeProvider
{
    private long _ticks;

    /// <summary>Every storage read takes 5 ms: the reader reads ahead while the pipe is paused.</summary>
    public static SlowStorageClock Slow => new(TimeSpan.FromMilliseconds(5));

    /// <summary>Every storage read takes no time: the reader never reads ahead.</summary>
    public static SlowStorageClock Instant => new(TimeSpan.Zero);

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Add(ref _ticks, step.Ticks);
}
