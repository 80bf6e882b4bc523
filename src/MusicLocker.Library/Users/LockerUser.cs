namespace MusicLocker.Library;

/// <summary>A locker user as the metadata store knows them.</summary>
/// <param name="Id">The app's user id.</param>
/// <param name="PlanId">Their quota plan.</param>
/// <param name="QuotaOverrideBytes">A per-user limit that overrides the plan's, when set.</param>
/// <param name="HistoryEnabled">Whether plays are recorded.</param>
/// <param name="CreatedAt">When the user was first stored.</param>
public sealed record LockerUser(string Id, string PlanId, long? QuotaOverrideBytes, bool HistoryEnabled, DateTimeOffset CreatedAt);

/// <summary>What deleting an account removed.</summary>
/// <param name="UserId">The user.</param>
/// <param name="TrackCount">The tracks removed from the catalog.</param>
/// <param name="StorageKeys">Every storage key the user's tracks and upload sessions referred to, each once, in ordinal order: the caller deletes these blobs.</param>
public sealed record DeletedAccount(string UserId, int TrackCount, IReadOnlyList<string> StorageKeys);
