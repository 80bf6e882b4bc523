namespace MusicLocker.Media;

/// <summary>The ID3v2 version an edited MP3 gets (<see cref="TagCopyRequest.Id3v2Version"/>; the TagLib writer's options).</summary>
public enum Id3v2Version
{
    /// <summary>The default: ID3v2.4.</summary>
    Default = 0,

    /// <summary>ID3v2.3 (for players that read nothing newer: older car stereos, Windows Media Player).</summary>
    V23 = 3,

    /// <summary>ID3v2.4 (UTF-8 text, several values per frame).</summary>
    V24 = 4,
}
