namespace MusicLocker.Media;

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
