using MusicLocker.Metadata;

namespace MusicLocker.Internal;

internal sealed class UserLibrary(LockerCore core, string userId, UserTracks tracks) : ILockerLibrary
{
    public Task<IReadOnlyList<AlbumEntry>> GetAlbumListAsync(AlbumListQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return Items(tracks.AlbumPageAsync(query, cancellationToken));

        static async Task<IReadOnlyList<AlbumEntry>> Items(Task<LockerPage<AlbumEntry>> page) => (await page.ConfigureAwait(false)).Items;
    }

    public Task<LockerPage<AlbumEntry>> GetAlbumPageAsync(AlbumListQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return tracks.AlbumPageAsync(query, cancellationToken);
    }

    public Task<IReadOnlyList<LockerTrack>> GetRandomTracksAsync(int count, string? genre = null, int? fromYear = null, int? toYear = null, CancellationToken cancellationToken = default) =>
        LockerErrors.Guard<IReadOnlyList<LockerTrack>>(async () =>
            (await core.Metadata.Library.ListRandomTracksAsync(userId, count, genre, fromYear, toYear, cancellationToken).ConfigureAwait(false)).Select(LockerTrack.From).ToArray());

    public Task<LockerPage<LockerTrack>> SearchPageAsync(string text, int pageSize = 50, string? cursor = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        return tracks.SearchPageAsync(text, pageSize, cursor, cancellationToken);
    }
}
