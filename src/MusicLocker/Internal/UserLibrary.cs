using MusicLocker.Metadata;

namespace MusicLocker.Internal;

internal sealed class UserLibrary(LockerCore core, string userId, UserTracks tracks) : ILockerLibrary
{
    public Task<IReadOnlyList<AlbumEntry>> GetAlbumListAsync(AlbumListQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return LockerErrors.Guard(() => core.Metadata.Albums.ListAlbumsAsync(userId, query, cancellationToken));
    }

    public Task<LockerPage<LockerTrack>> SearchPageAsync(string text, int pageSize = 50, string? cursor = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        return tracks.SearchPageAsync(text, pageSize, cursor, cancellationToken);
    }
}
