namespace MusicLocker.Media;

/// <summary>The container format of an accepted file.</summary>
public enum MediaContainer
{
    /// <summary>A raw MPEG audio stream (an <c>.mp3</c> file).</summary>
    Mp3 = 1,

    /// <summary>A raw ADTS AAC stream (an <c>.aac</c> file).</summary>
    Adts = 2,

    /// <summary>ISO base media / MP4 (<c>.m4a</c>, <c>.m4b</c>, <c>.mp4</c>).</summary>
    Mp4 = 3,
}

/// <summary>The audio codec of an accepted file.</summary>
public enum AudioCodec
{
    /// <summary>MPEG-1/2/2.5 Layer III.</summary>
    Mp3 = 1,

    /// <summary>MPEG-4 / MPEG-2 AAC (LC, HE-AAC, HE-AACv2, …).</summary>
    Aac = 2,
}

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
}

/// <summary>A tag format a <see cref="TagField"/> came from.</summary>
public enum TagFormat
{
    /// <summary>ID3v1 or ID3v1.1.</summary>
    Id3v1 = 1,

    /// <summary>ID3v2.2.</summary>
    Id3v22 = 2,

    /// <summary>ID3v2.3.</summary>
    Id3v23 = 3,

    /// <summary>ID3v2.4.</summary>
    Id3v24 = 4,

    /// <summary>APEv1 or APEv2.</summary>
    Ape = 5,

    /// <summary>iTunes-style MP4 metadata (<c>moov/udta/meta/ilst</c>).</summary>
    Mp4Ilst = 6,
}

/// <summary>Something odd about an accepted file: the probe went on, and says what it saw.</summary>
/// <param name="Offset">The byte position concerned, or -1 when none.</param>
/// <param name="Message">What was seen.</param>
public readonly record struct MediaWarning(long Offset, string Message)
{
    /// <inheritdoc />
    public override string ToString() => Offset >= 0 ? $"{Message} (at byte {Offset})" : Message;
}
