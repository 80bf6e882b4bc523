namespace MusicLocker.Media;

/// <summary>What an <see cref="ITagCopyWriter"/> writes into a copy: tags, the cover, and the ID3v2 version of an MP3 copy.</summary>
public sealed class TagCopyRequest
{
    /// <summary>
    /// The tags: a field that is <see langword="null"/> keeps the original's value, an empty string (or 0 for a number)
    /// removes it. <see cref="AudioTags.Compilation"/> true marks the copy a compilation (ID3v2 <c>TCMP</c>, MP4
    /// <c>cpil</c>), false removes the mark. <see cref="AudioTags.Formats"/> and <see cref="AudioTags.RawFields"/> are not written.
    /// </summary>
    public required AudioTags Tags { get; init; }

    /// <summary>A new front cover replacing every picture (JPEG or PNG bytes); empty keeps the original's pictures.</summary>
    public ReadOnlyMemory<byte> CoverArt { get; init; }

    /// <summary>The MIME type of <see cref="CoverArt"/>: <c>image/jpeg</c> or <c>image/png</c>.</summary>
    public string? CoverArtMimeType { get; init; }

    /// <summary>Removes every picture (with <see cref="CoverArt"/> empty).</summary>
    public bool RemoveCoverArt { get; init; }

    /// <summary>The ID3v2 version of an MP3 copy; <see cref="Id3v2Version.Default"/> is the writer's own choice.</summary>
    public Id3v2Version Id3v2Version { get; init; }
}
