namespace MusicLocker.Media;

/// <summary>How the bytes of a picture are stored in the file.</summary>
public enum CoverArtEncoding
{
    /// <summary>The bytes at <see cref="CoverArtInfo.Offset"/> are the picture.</summary>
    Plain = 0,

    /// <summary>The bytes are ID3v2-unsynchronised: drop each 0x00 that follows a 0xFF to get the picture (<see cref="MediaProber.ReadCoverArtAsync"/> does).</summary>
    Unsynchronised = 1,
}
