namespace MusicLocker.Metadata;

/// <summary>A page request over a user's tracks: order, optional filters (matched without regard to case or accents), and keyset paging.</summary>
public sealed record TrackQuery
{
    /// <summary>The largest page a store returns.</summary>
    public const int MaxPageSize = 500;

    /// <summary>The order.</summary>
    public TrackSort Sort { get; init; }

    /// <summary>Only tracks by this artist.</summary>
    public string? Artist { get; init; }

    /// <summary>Only tracks of this album (combine with <see cref="AlbumArtist"/> to tell same-named albums apart).</summary>
    public string? Album { get; init; }

    /// <summary>Only tracks whose album artist (or artist, when it has none) is this.</summary>
    public string? AlbumArtist { get; init; }

    /// <summary>Only tracks of this genre.</summary>
    public string? Genre { get; init; }

    /// <summary>Tracks per page, 1 to <see cref="MaxPageSize"/>.</summary>
    public int PageSize { get; init; } = 50;

    /// <summary>The <see cref="Page{T}.NextCursor"/> of the previous page, or <see langword="null"/> for the first page.</summary>
    public string? Cursor { get; init; }
}
