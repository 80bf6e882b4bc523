namespace MusicLocker.Library;

/// <summary>How browsed tracks are ordered. Text compares without regard to case or accents.</summary>
public enum TrackSort
{
    /// <summary>By title.</summary>
    Title = 0,

    /// <summary>By artist, then album, disc, track number and title.</summary>
    Artist,

    /// <summary>By album artist, then album, disc, track number and title.</summary>
    Album,

    /// <summary>Newest first ("Latest uploads").</summary>
    RecentlyAdded,
}

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

/// <summary>One page of a keyset-paged listing.</summary>
/// <typeparam name="T">The item type.</typeparam>
/// <param name="Items">The items.</param>
/// <param name="NextCursor">Pass it back for the next page; <see langword="null"/> on the last page.</param>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>An album: tracks grouped by album artist and album title.</summary>
/// <param name="AlbumArtist">The album artist (or the artist of tracks without one).</param>
/// <param name="Title">The album title.</param>
/// <param name="TrackCount">The user's tracks on it.</param>
/// <param name="Duration">Their total duration.</param>
/// <param name="Year">The latest year tagged on its tracks.</param>
public sealed record AlbumSummary(string? AlbumArtist, string? Title, int TrackCount, TimeSpan Duration, int? Year);

/// <summary>An artist of the user's tracks.</summary>
/// <param name="Name">The artist's name (as first tagged).</param>
/// <param name="TrackCount">Their tracks.</param>
/// <param name="AlbumCount">The distinct albums those tracks are on.</param>
public sealed record ArtistSummary(string? Name, int TrackCount, int AlbumCount);

/// <summary>A genre of the user's tracks.</summary>
/// <param name="Name">The genre (as first tagged).</param>
/// <param name="TrackCount">Its tracks.</param>
public sealed record GenreSummary(string? Name, int TrackCount);
