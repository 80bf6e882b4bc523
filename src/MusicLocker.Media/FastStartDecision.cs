namespace MusicLocker.Media;

/// <summary>What <see cref="Mp4FastStart"/> decided for a file.</summary>
public enum FastStartDecision
{
    /// <summary>No decision (the default value; never returned by a plan).</summary>
    Unknown = 0,

    /// <summary><c>moov</c> follows the media data: the file is rewritten with <c>moov</c> in front (chunk offsets shifted).</summary>
    Rewrite = 1,

    /// <summary>Not applicable: <c>moov</c> precedes the media data already (or there is none); the file is left as it is.</summary>
    AlreadyFastStart = 2,

    /// <summary>Not applicable: a fragmented MP4 (<c>moof</c>), which streams as it is and whose fragments carry their own offsets.</summary>
    Fragmented = 3,

    /// <summary>Not applicable: the bytes are not an ISO BMFF (MP4/M4A) file (an MP3, ADTS, anything else).</summary>
    NotMp4 = 4,

    /// <summary>
    /// Not applicable: an MP4 whose layout fast start does not rewrite (the reason names it): a <c>moov</c> between two
    /// <c>mdat</c> boxes (moving it would change the audio payload range), or absolute offsets in boxes other than
    /// <c>stco</c>/<c>co64</c> (<c>saio</c>).
    /// </summary>
    Unsupported = 5,
}
