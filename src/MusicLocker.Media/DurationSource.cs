namespace MusicLocker.Media;

/// <summary>Where <see cref="MediaInfo.FrameCount"/> (and so the duration) comes from.</summary>
public enum DurationSource
{
    /// <summary>Every frame was walked and counted: exact.</summary>
    FrameWalk = 1,

    /// <summary>The frame count of the Xing/Info header the encoder wrote.</summary>
    XingHeader = 2,

    /// <summary>The frame count of the VBRI header the encoder wrote.</summary>
    VbriHeader = 3,

    /// <summary>The MP4 sample tables (exact).</summary>
    SampleTable = 4,

    /// <summary>The MP4 media or movie header duration (no sample tables).</summary>
    MediaHeader = 5,

    /// <summary>
    /// An estimate: a range probe bounded by <see cref="MediaProbeOptions.FrameWalkLimit"/> counted the frames of a prefix of
    /// an MP3 without Xing/VBRI header (or of ADTS) and extrapolated over the audio bytes. A stream probe gives the exact count.
    /// </summary>
    Estimated = 6,
}
