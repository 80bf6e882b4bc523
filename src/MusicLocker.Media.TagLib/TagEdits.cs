namespace MusicLocker.Media.TagLib;

/// <summary>
/// The changes a user made to a song's tags. A <see langword="null"/> property keeps the original value; an empty string
/// (or 0 for a number) removes it. <see cref="CoverArt"/> replaces the front cover, <see cref="RemoveCoverArt"/> removes
/// every picture; setting both is an error.
/// </summary>
public sealed class TagEdits
{
    /// <summary>The title.</summary>
    public string? Title { get; init; }

    /// <summary>The track artist.</summary>
    public string? Artist { get; init; }

    /// <summary>The album.</summary>
    public string? Album { get; init; }

    /// <summary>The album artist.</summary>
    public string? AlbumArtist { get; init; }

    /// <summary>The track number (0 removes it).</summary>
    public int? TrackNumber { get; init; }

    /// <summary>The number of tracks (0 removes it).</summary>
    public int? TrackCount { get; init; }

    /// <summary>The disc number (0 removes it).</summary>
    public int? DiscNumber { get; init; }

    /// <summary>The number of discs (0 removes it).</summary>
    public int? DiscCount { get; init; }

    /// <summary>The year (0 removes it).</summary>
    public int? Year { get; init; }

    /// <summary>The genre.</summary>
    public string? Genre { get; init; }

    /// <summary>The comment (ID3v2 <c>COMM</c> without a description; MP4 <c>©cmt</c>).</summary>
    public string? Comment { get; init; }

    /// <summary>Marks the song part of a compilation (true: ID3v2 <c>TCMP</c> 1, MP4 <c>cpil</c>) or removes the mark (false).</summary>
    public bool? Compilation { get; init; }

    /// <summary>The ID3v2 version of this MP3 copy; <see cref="Id3v2Version.Default"/> uses <see cref="EditedCopyOptions.Id3v2Version"/>.</summary>
    public Id3v2Version Id3v2Version { get; init; }

    /// <summary>A new front cover, replacing every picture.</summary>
    public CoverArtEdit? CoverArt { get; init; }

    /// <summary>Removes every picture.</summary>
    public bool RemoveCoverArt { get; init; }

    /// <summary>
    /// These edits with every kept (null) field set to <paramref name="read"/>'s value: for a copy that carries fewer tags
    /// than its original (an MP3 copy keeps only its ID3v2), so a value the original held only in an APE or ID3v1 tag
    /// is not lost.
    /// </summary>
    internal TagEdits KeepingValuesOf(AudioTags read) => new()
    {
        Title = Title ?? read.Title,
        Artist = Artist ?? read.Artist,
        Album = Album ?? read.Album,
        AlbumArtist = AlbumArtist ?? read.AlbumArtist,
        TrackNumber = TrackNumber ?? read.TrackNumber,
        TrackCount = TrackCount ?? read.TrackCount,
        DiscNumber = DiscNumber ?? read.DiscNumber,
        DiscCount = DiscCount ?? read.DiscCount,
        Year = Year ?? read.Year,
        Genre = Genre ?? read.Genre,
        Comment = Comment ?? read.Comment,
        Compilation = Compilation ?? read.Compilation,
        Id3v2Version = Id3v2Version,
        CoverArt = CoverArt,
        RemoveCoverArt = RemoveCoverArt,
    };

    internal void Validate()
    {
        if (CoverArt is not null && RemoveCoverArt)
        {
            throw new ArgumentException("CoverArt and RemoveCoverArt are both set: choose one.", "edits");
        }

        if (Id3v2Version is not (Id3v2Version.Default or Id3v2Version.V23 or Id3v2Version.V24))
        {
            throw new ArgumentOutOfRangeException("edits.Id3v2Version", Id3v2Version, "ID3v2.3, ID3v2.4 or Default (the writer's option).");
        }

        CheckNumber(TrackNumber, nameof(TrackNumber));
        CheckNumber(TrackCount, nameof(TrackCount));
        CheckNumber(DiscNumber, nameof(DiscNumber));
        CheckNumber(DiscCount, nameof(DiscCount));
        if (Year is { } y)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(y, "edits.Year");
            ArgumentOutOfRangeException.ThrowIfGreaterThan(y, 9999, "edits.Year");
        }

        CoverArt?.Validate();
    }

    private static void CheckNumber(int? value, string name)
    {
        if (value is { } v)
        {
            // MP4 trkn/disk hold 16-bit numbers.
            ArgumentOutOfRangeException.ThrowIfNegative(v, "edits." + name);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(v, ushort.MaxValue, "edits." + name);
        }
    }
}
