namespace MusicLocker.Metadata;

/// <summary>The users of the locker. Every other part of the store needs the user to exist.</summary>
public interface IUserDirectory
{
    /// <summary>Stores the user if new (on <paramref name="planId"/>, or the catalog's default plan), else returns them unchanged.</summary>
    /// <exception cref="MetadataArgumentException">The id breaks the rules of <see cref="MetadataLimits.MaxUserIdLength"/> (empty, too long, a control character, a <c>/</c>, an unpaired surrogate), or the plan is unknown.</exception>
    Task<LockerUser> EnsureAsync(string userId, string? planId = null, CancellationToken cancellationToken = default);

    /// <summary>The user.</summary>
    /// <exception cref="MetadataNotFoundException">No user has the id.</exception>
    Task<LockerUser> GetAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes the user and everything recorded for them: tracks, playlists, history, reservations and upload sessions.
    /// Returns the storage keys whose blobs the caller must now delete: only keys under the user's own prefix
    /// (<see cref="LockerMetadataOptions.StorageKeyPrefix"/>). The crypto layer's key record, when a SQL store keeps it,
    /// is not deleted: destroy the key first (crypto-shredding), and its tombstone stays so the key never comes back.
    /// </summary>
    /// <exception cref="MetadataNotFoundException">No user has the id.</exception>
    Task<DeletedAccount> DeleteAsync(string userId, CancellationToken cancellationToken = default);
}
