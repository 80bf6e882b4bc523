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

    /// <summary>
    /// Records that the user used the locker now, unless that was already recorded less than <paramref name="minimumInterval"/>
    /// ago (one conditional write, so "at most once a day" costs one row update a day). Recording activity clears a
    /// retention warning. A user whose deletion for inactivity was claimed (<see cref="TryClaimRetentionDeletionAsync"/>)
    /// is not revived.
    /// </summary>
    /// <returns>Whether a write happened (<see langword="false"/> also for an unknown user).</returns>
    Task<bool> RecordActivityAsync(string userId, TimeSpan minimumInterval, CancellationToken cancellationToken = default);

    /// <summary>
    /// One page of the users not active for at least <paramref name="inactiveFor"/> (on the store's clock), by user id,
    /// starting after <paramref name="afterUserId"/> (keyset paging; null for the first page).
    /// </summary>
    Task<IReadOnlyList<InactiveUser>> ListInactiveAsync(TimeSpan inactiveFor, string? afterUserId, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Marks the user warned for inactivity, if they are still inactive for <paramref name="inactiveFor"/> and not warned
    /// yet: one conditional write, so of several instances sweeping at once exactly one gets <see langword="true"/>.
    /// </summary>
    Task<bool> TryMarkRetentionWarnedAsync(string userId, TimeSpan inactiveFor, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims sending the user's inactivity warning: succeeds when the user is inactive for <paramref name="inactiveFor"/>,
    /// not warned yet, not claimed for deletion, and no other notice claim younger than <paramref name="lease"/> holds (a
    /// sender that crashed is taken over once its lease ends). One conditional write: one winner at a time. Settle it
    /// with <see cref="CompleteRetentionNoticeAsync"/>; recording activity drops it.
    /// </summary>
    Task<bool> TryClaimRetentionNoticeAsync(string userId, TimeSpan inactiveFor, TimeSpan lease, CancellationToken cancellationToken = default);

    /// <summary>
    /// Settles a notice claim (<see cref="TryClaimRetentionNoticeAsync"/>): <paramref name="delivered"/> marks the user
    /// warned now (the deletion lead counts from here); otherwise the claim is released, so the next sweep sends again.
    /// </summary>
    /// <returns>Whether a claim was settled (<see langword="false"/> when activity dropped it meanwhile, or none was held).</returns>
    Task<bool> CompleteRetentionNoticeAsync(string userId, bool delivered, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims the user's deletion for inactivity: succeeds when the user is inactive for <paramref name="inactiveFor"/>,
    /// was warned at least <paramref name="warnedFor"/> ago, and no other claim younger than <paramref name="lease"/>
    /// holds (a crashed deletion is taken over once its lease ends). One conditional write: one winner at a time.
    /// </summary>
    Task<bool> TryClaimRetentionDeletionAsync(string userId, TimeSpan inactiveFor, TimeSpan warnedFor, TimeSpan lease, CancellationToken cancellationToken = default);
}
