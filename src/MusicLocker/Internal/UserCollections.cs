using MusicLocker.Metadata;
using MusicLocker.Metadata.Quota;

namespace MusicLocker.Internal;

internal sealed class UserPlaylists(LockerCore core, string userId) : ILockerPlaylists
{
    private IPlaylistStore Store => core.Metadata.Playlists;

    public Task<Playlist> CreateAsync(string name, CancellationToken cancellationToken = default) =>
        LockerErrors.Guard(async () =>
        {
            await core.Metadata.Users.EnsureAsync(userId, cancellationToken: cancellationToken).ConfigureAwait(false);
            return await Store.CreateAsync(userId, name, cancellationToken).ConfigureAwait(false);
        });

    public IAsyncEnumerable<Playlist> ListAsync(CancellationToken cancellationToken = default) =>
        LockerErrors.Guard(Store.ListAsync(userId, cancellationToken), cancellationToken);

    public Task<Playlist> GetAsync(Guid playlistId, CancellationToken cancellationToken = default) =>
        LockerErrors.Guard(() => Store.GetAsync(userId, playlistId, cancellationToken));

    public Task<Playlist> RenameAsync(Guid playlistId, string name, CancellationToken cancellationToken = default) =>
        LockerErrors.Guard(() => Store.RenameAsync(userId, playlistId, name, cancellationToken));

    public Task<bool> DeleteAsync(Guid playlistId, CancellationToken cancellationToken = default) =>
        LockerErrors.Guard(() => Store.DeleteAsync(userId, playlistId, cancellationToken));

    public Task<IReadOnlyList<LockerPlaylistEntry>> GetEntriesAsync(Guid playlistId, CancellationToken cancellationToken = default) =>
        LockerErrors.Guard<IReadOnlyList<LockerPlaylistEntry>>(async () => Map(await Store.GetEntriesAsync(userId, playlistId, cancellationToken).ConfigureAwait(false)));

    public Task<IReadOnlyList<LockerPlaylistEntry>> AddTracksAsync(Guid playlistId, IReadOnlyList<Guid> trackIds, int? index = null, CancellationToken cancellationToken = default) =>
        LockerErrors.Guard<IReadOnlyList<LockerPlaylistEntry>>(async () => Map(await Store.AddTracksAsync(userId, playlistId, trackIds, index, cancellationToken).ConfigureAwait(false)));

    public Task RemoveEntryAsync(Guid playlistId, Guid entryId, CancellationToken cancellationToken = default) =>
        LockerErrors.Guard(() => Store.RemoveEntryAsync(userId, playlistId, entryId, cancellationToken));

    public Task MoveEntryAsync(Guid playlistId, Guid entryId, int newIndex, CancellationToken cancellationToken = default) =>
        LockerErrors.Guard(() => Store.MoveEntryAsync(userId, playlistId, entryId, newIndex, cancellationToken));

    private static LockerPlaylistEntry[] Map(IReadOnlyList<PlaylistEntry> entries)
    {
        var result = new LockerPlaylistEntry[entries.Count];
        for (int i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            result[i] = new LockerPlaylistEntry(e.EntryId, e.Index, LockerTrack.From(e.Track), e.AddedAt);
        }

        return result;
    }
}

internal sealed class UserHistory(LockerCore core, string userId) : ILockerHistory
{
    public Task<bool> RecordPlayAsync(Guid trackId, CancellationToken cancellationToken = default) =>
        LockerErrors.Guard(async () =>
        {
            bool recorded = await core.Metadata.History.RecordPlayAsync(userId, trackId, cancellationToken).ConfigureAwait(false);
            await core.Activity.TouchAsync(userId, cancellationToken).ConfigureAwait(false);
            return recorded;
        });

    public Task<IReadOnlyList<LockerPlay>> GetRecentlyPlayedAsync(int count = 50, CancellationToken cancellationToken = default) =>
        LockerErrors.Guard(async () =>
        {
            var plays = await core.Metadata.History.GetRecentlyPlayedAsync(userId, count, cancellationToken).ConfigureAwait(false);
            return (IReadOnlyList<LockerPlay>)plays.Select(p => new LockerPlay(LockerTrack.From(p.Track), p.PlayedAt)).ToArray();
        });

    public Task<IReadOnlyList<LockerPlayCount>> GetMostPlayedAsync(int count = 50, CancellationToken cancellationToken = default) =>
        LockerErrors.Guard(async () =>
        {
            var plays = await core.Metadata.History.GetMostPlayedAsync(userId, count, cancellationToken).ConfigureAwait(false);
            return (IReadOnlyList<LockerPlayCount>)plays.Select(p => new LockerPlayCount(LockerTrack.From(p.Track), p.PlayCount, p.LastPlayedAt)).ToArray();
        });

    public Task<long> SetEnabledAsync(bool enabled, CancellationToken cancellationToken = default) =>
        LockerErrors.Guard(async () =>
        {
            await core.Metadata.Users.EnsureAsync(userId, cancellationToken: cancellationToken).ConfigureAwait(false);
            return await core.Metadata.History.SetEnabledAsync(userId, enabled, cancellationToken).ConfigureAwait(false);
        });
}

internal sealed class UserQuota(LockerCore core, string userId) : ILockerQuota
{
    public Task<QuotaStatus> GetStatusAsync(CancellationToken cancellationToken = default) =>
        LockerErrors.Guard(async () =>
        {
            await core.Metadata.Users.EnsureAsync(userId, cancellationToken: cancellationToken).ConfigureAwait(false);
            return await core.Metadata.Quota.GetStatusAsync(userId, cancellationToken).ConfigureAwait(false);
        });

    public Task<QuotaPreview> PreviewAsync(IReadOnlyList<PlannedUpload> files, CancellationToken cancellationToken = default) =>
        LockerErrors.Guard(async () =>
        {
            await core.Metadata.Users.EnsureAsync(userId, cancellationToken: cancellationToken).ConfigureAwait(false);
            return await core.Metadata.Quota.PreviewAsync(userId, files, cancellationToken).ConfigureAwait(false);
        });
}
