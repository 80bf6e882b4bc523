namespace MusicLocker.Media;

/// <summary>The audio codec of an accepted file.</summary>
public enum AudioCodec
{
    /// <summary>MPEG-1/2/2.5 Layer III.</summary>
    Mp3 = 1,

    /// <summary>MPEG-4 / MPEG-2 AAC (LC, HE-AAC, HE-AACv2, …).</summary>
    Aac = 2,
}
