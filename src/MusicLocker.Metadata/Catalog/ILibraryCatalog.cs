namespace MusicLocker.Metadata;

/// <summary>The lists players ask for: albums in their orders, random tracks.</summary>
public interface ILibraryCatalog
{
    /// <summary>One page of the user's albums in the query's order.</summary>
    /// <exception cref="MetadataArgumentException">The count, offset or a filter is out of range.</exception>
    Task<IReadOnlyList<AlbumEntry>> ListAlbumsAsync(string userId, AlbumListQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// One page of the user's albums in the query's order, from <see cref="AlbumListQuery.Cursor"/> (then skipping
    /// <see cref="AlbumListQuery.Offset"/> albums); pass <see cref="Page{T}.NextCursor"/> back as the cursor for the next
    /// page, which costs what the first did. A random list has no cursor.
    /// </summary>
    /// <exception cref="MetadataArgumentException">The count, offset or a filter is out of range, or the cursor is not this order's (parameter <c>query.Cursor</c>).</exception>
    Task<Page<AlbumEntry>> ListAlbumPageAsync(string userId, AlbumListQuery query, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="count"/> of the user's tracks in random order, optionally of one genre and within years.</summary>
    /// <exception cref="MetadataArgumentException">The count is outside 1 to <see cref="TrackQuery.MaxPageSize"/>, or the genre is too long.</exception>
    Task<IReadOnlyList<TrackRecord>> ListRandomTracksAsync(string userId, int count, string? genre = null, int? fromYear = null, int? toYear = null, CancellationToken cancellationToken = default);
}
