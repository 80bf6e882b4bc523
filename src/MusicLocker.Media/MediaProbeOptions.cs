namespace MusicLocker.Media;

/// <summary>
/// Limits and choices of a probe. Every limit bounds what a hostile file can make the parser hold or do; none is sized
/// from a length field in the file. The defaults accept every real music file seen so far.
/// </summary>
public sealed class MediaProbeOptions
{
    /// <summary>The default options.</summary>
    public static MediaProbeOptions Default { get; } = new();

    /// <summary>The largest tag (ID3v2, APEv2) whose frames are parsed; larger tags are skipped with a warning. Default 16 MiB.</summary>
    public int MaxTagSize { get; init; } = 16 * 1024 * 1024;

    /// <summary>The largest single tag frame or tag item (ID3v2 frame, APE item, MP4 <c>ilst</c> item) kept in memory; larger ones are skipped with a warning (pictures are never kept). Default 1 MiB.</summary>
    public int MaxTagFrameSize { get; init; } = 1024 * 1024;

    /// <summary>The largest MP4 box whose payload is read (sample tables, metadata); larger ones are refused. Default 64 MiB.</summary>
    public int MaxBoxPayloadSize { get; init; } = 64 * 1024 * 1024;

    /// <summary>The most MP4 boxes walked. Default 100,000.</summary>
    public int MaxBoxCount { get; init; } = 100_000;

    /// <summary>The deepest MP4 box nesting walked. Default 16.</summary>
    public int MaxBoxDepth { get; init; } = 16;

    /// <summary>The most audio frames (MP3, ADTS) or samples (MP4) counted. Default 50 million (about 3 weeks of MP3).</summary>
    public long MaxFrames { get; init; } = 50_000_000;

    /// <summary>How far past the leading tags the first audio frame may start. Default 1 MiB.</summary>
    public int MaxLeadingJunk { get; init; } = 1024 * 1024;

    /// <summary>How many bytes of the end of the file are examined for trailing tags (ID3v1, APEv2, Lyrics3, appended ID3v2). Default 128 KiB.</summary>
    public int TailSize { get; init; } = 128 * 1024;

    /// <summary>How many following frames must agree before a frame sync is accepted. Default 3.</summary>
    public int SyncConfirmFrames { get; init; } = 3;

    /// <summary>The time between two entries of a <see cref="SeekIndex"/>. Default 1 second.</summary>
    public TimeSpan SeekIndexInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The most entries a <see cref="SeekIndex"/> holds, built or read by <see cref="SeekIndex.Parse(ReadOnlySpan{byte}, MediaProbeOptions)"/>.
    /// A longer track gets a coarser index (the interval doubles until it fits); a serialized index with more entries is
    /// refused. Default 1,048,576 (12 days at one entry a second; 16 MiB in memory).
    /// </summary>
    public int MaxSeekIndexEntries { get; init; } = 1024 * 1024;

    /// <summary>
    /// Whether a probe from range reads also walks every frame of an MP3 that has a Xing/VBRI header, to build its
    /// <see cref="SeekIndex"/> (a stream probe always does). Default <see langword="false"/>.
    /// </summary>
    public bool RequireSeekIndex { get; init; }

    /// <summary>
    /// How many bytes of audio frames a range probe (<see cref="MediaProber.ProbeAsync(IRandomAccessSource, CancellationToken)"/>,
    /// <see cref="MediaProber.ProbeFileAsync"/>) walks in a file that holds no frame count (an MP3 without Xing/VBRI
    /// header, ADTS) before it stops and estimates the duration from the frames counted so far
    /// (<see cref="DurationSource.Estimated"/>, no <see cref="SeekIndex"/>). <see langword="null"/> (the default) walks to
    /// the end: exact. For a head-only check before a file is read once anyway (an upload), where the single pass gives the
    /// exact count. At least 64 KiB.
    /// </summary>
    public long? FrameWalkLimit { get; init; }

    /// <summary>The size of each read of a range probe. Default 64 KiB.</summary>
    public int RangeReadSize { get; init; } = 64 * 1024;

    /// <summary>
    /// Where the prober logs the warnings of accepted files and its refusals (EventIds 3000–3999, see docs/telemetry.md);
    /// null logs nothing.
    /// </summary>
    public Microsoft.Extensions.Logging.ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>A copy, so a prober is unaffected by what happens to the caller's object later.</summary>
    internal MediaProbeOptions Clone() => (MediaProbeOptions)MemberwiseClone();

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxTagSize, 1024, nameof(MaxTagSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxTagFrameSize, 256, nameof(MaxTagFrameSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBoxPayloadSize, 4096, nameof(MaxBoxPayloadSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBoxCount, 16, nameof(MaxBoxCount));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBoxDepth, 8, nameof(MaxBoxDepth));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFrames, 1, nameof(MaxFrames));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxLeadingJunk, nameof(MaxLeadingJunk));
        ArgumentOutOfRangeException.ThrowIfLessThan(TailSize, 512, nameof(TailSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(SyncConfirmFrames, 1, nameof(SyncConfirmFrames));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(SyncConfirmFrames, 8, nameof(SyncConfirmFrames));
        ArgumentOutOfRangeException.ThrowIfLessThan(SeekIndexInterval, TimeSpan.FromMilliseconds(10), nameof(SeekIndexInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(RangeReadSize, 4096, nameof(RangeReadSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxSeekIndexEntries, 16, nameof(MaxSeekIndexEntries));
        if (FrameWalkLimit is { } limit)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(limit, 64 * 1024, nameof(FrameWalkLimit));
        }
    }
}
