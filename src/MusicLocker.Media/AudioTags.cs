namespace MusicLocker.Media;

/// <summary>
/// The tags of a file in one normalised model, whatever the tag format (ID3v2 first, then APEv2, then ID3v1 for MP3/ADTS;
/// <c>ilst</c> for MP4), plus every raw field.
/// </summary>
public sealed record AudioTags
{
    /// <summary>No tags.</summary>
    public static AudioTags Empty { get; } = new();

    /// <summary>The track title.</summary>
    public string? Title { get; init; }

    /// <summary>The track artist (several joined by <c>"; "</c>).</summary>
    public string? Artist { get; init; }

    /// <summary>The album artist.</summary>
    public string? AlbumArtist { get; init; }

    /// <summary>The album.</summary>
    public string? Album { get; init; }

    /// <summary>The track number on its disc.</summary>
    public int? TrackNumber { get; init; }

    /// <summary>The number of tracks on the disc.</summary>
    public int? TrackCount { get; init; }

    /// <summary>The disc number.</summary>
    public int? DiscNumber { get; init; }

    /// <summary>The number of discs.</summary>
    public int? DiscCount { get; init; }

    /// <summary>The release year.</summary>
    public int? Year { get; init; }

    /// <summary>The genre, as a name (ID3 numeric genres are resolved).</summary>
    public string? Genre { get; init; }

    /// <summary>The comment (the first one without a description).</summary>
    public string? Comment { get; init; }

    /// <summary>Whether the track is part of a compilation, when a tag says.</summary>
    public bool? Compilation { get; init; }

    /// <summary>The tag formats found, in the order they were read.</summary>
    public IReadOnlyList<TagFormat> Formats { get; init; } = [];

    /// <summary>Every field of every tag, as stored (pictures appear as a short description).</summary>
    public IReadOnlyList<TagField> RawFields { get; init; } = [];

    /// <summary>Whether no normalised field is set.</summary>
    public bool IsEmpty => Title is null && Artist is null && AlbumArtist is null && Album is null && TrackNumber is null && TrackCount is null
        && DiscNumber is null && DiscCount is null && Year is null && Genre is null && Comment is null && Compilation is null;
}
