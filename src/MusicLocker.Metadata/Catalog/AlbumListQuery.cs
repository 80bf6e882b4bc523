namespace MusicLocker.Metadata;

/// <summary>One page of an album list: from a cursor (flat cost) and/or an offset, as the Subsonic API asks.</summary>
public sealed record AlbumListQuery
{
    /// <summary>The order (and which albums: plays, stars or ratings for some orders).</summary>
    public AlbumOrder Order { get; init; }

    /// <summary>
    /// Where the page starts: a <see cref="Page{T}.NextCursor"/> of the same order (see
    /// <see cref="ILibraryCatalog.ListAlbumPageAsync"/>); <see langword="null"/> for the start of the list.
    /// </summary>
    public string? Cursor { get; init; }

    /// <summary>Albums to skip (after <see cref="Cursor"/>).</summary>
    public int Offset { get; init; }

    /// <summary>Albums to return, 1 to <see cref="TrackQuery.MaxPageSize"/>.</summary>
    public int Count { get; init; } = 10;

    /// <summary>The first year, for <see cref="AlbumOrder.Year"/>.</summary>
    public int? FromYear { get; init; }

    /// <summary>The last year, for <see cref="AlbumOrder.Year"/>.</summary>
    public int? ToYear { get; init; }

    /// <summary>Only albums with tracks of this genre (any order).</summary>
    public string? Genre { get; init; }

    /// <summary>Only albums with tracks by this artist or album artist (any order).</summary>
    public string? Artist { get; init; }
}
