namespace MusicLocker.Media;

/// <summary>
/// Where a picture is in the file, found without copying it: read it on request with
/// <see cref="MediaProber.ReadCoverArtAsync"/> (or any range read of <see cref="Offset"/>, <see cref="Length"/>).
/// </summary>
public sealed record CoverArtInfo
{
    /// <summary>The MIME type (<c>image/jpeg</c>, <c>image/png</c>), from the tag or sniffed from the picture's first bytes when the tag names none.</summary>
    public required string MimeType { get; init; }

    /// <summary>The byte position of the picture in the file.</summary>
    public required long Offset { get; init; }

    /// <summary>The number of bytes the picture takes in the file.</summary>
    public required long Length { get; init; }

    /// <summary>The ID3v2 picture type (3 = front cover); 3 for MP4 and APE front covers.</summary>
    public int PictureType { get; init; } = 3;

    /// <summary>The picture's description, when the tag has one.</summary>
    public string? Description { get; init; }

    /// <summary>How the bytes are stored.</summary>
    public CoverArtEncoding Encoding { get; init; }

    /// <summary>The tag the picture belongs to.</summary>
    public TagFormat Source { get; init; }

    /// <summary>
    /// The MIME type a picture's first bytes show (<c>image/jpeg</c>, <c>image/png</c>, <c>image/gif</c>, <c>image/bmp</c>,
    /// <c>image/webp</c>), or <c>application/octet-stream</c>: to check a picture against the type a caller claims.
    /// </summary>
    public static string SniffMimeType(ReadOnlySpan<byte> picture) => Tags.TagCollector.SniffMime(picture);
}
