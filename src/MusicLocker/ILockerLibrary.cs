using MusicLocker.Metadata;

namespace MusicLocker;

/// <summary>A user's library the way players browse it: album lists in their orders, and keyset-paged search.</summary>
public interface ILockerLibrary
{
    /// <summary>One page of the user's albums in the query's order (offset-paged, as player APIs ask).</summary>
    /// <exception cref="LockerException"><see cref="LockerErrorCode.InvalidArgument"/>: the count, offset or a filter is out of range.</exception>
    Task<IReadOnlyList<AlbumEntry>> GetAlbumListAsync(AlbumListQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// One page of the user's albums from <see cref="AlbumListQuery.Cursor"/> (then skipping <see cref="AlbumListQuery.Offset"/>);
    /// pass <see cref="LockerPage{T}.NextCursor"/> back for the next page, which costs what the first did. A random list has no cursor.
    /// </summary>
    /// <exception cref="LockerException"><see cref="LockerErrorCode.InvalidCursor"/>: the cursor is not this user's album list's in this order; <see cref="LockerErrorCode.InvalidArgument"/>: the count, offset or a filter is out of range.</exception>
    Task<LockerPage<AlbumEntry>> GetAlbumPageAsync(AlbumListQuery query, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="count"/> (1 to 500) tracks in random order, optionally of one genre and within years.</summary>
    Task<IReadOnlyList<LockerTrack>> GetRandomTracksAsync(int count, string? genre = null, int? fromYear = null, int? toYear = null, CancellationToken cancellationToken = default);

    /// <summary>One page of <see cref="ILockerTracks.SearchAsync"/>'s results; pass <see cref="LockerPage{T}.NextCursor"/> back for the next.</summary>
    /// <exception cref="LockerException"><see cref="LockerErrorCode.InvalidCursor"/>: the cursor is not this search's for this user; <see cref="LockerErrorCode.InvalidArgument"/>: text too long.</exception>
    Task<LockerPage<LockerTrack>> SearchPageAsync(string text, int pageSize = 50, string? cursor = null, CancellationToken cancellationToken = default);
}
