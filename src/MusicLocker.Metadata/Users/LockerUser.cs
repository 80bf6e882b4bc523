namespace MusicLocker.Metadata;

/// <summary>A locker user as the metadata store knows them.</summary>
/// <param name="Id">The app's user id.</param>
/// <param name="PlanId">Their quota plan.</param>
/// <param name="QuotaOverrideBytes">A per-user limit that overrides the plan's, when set.</param>
/// <param name="HistoryEnabled">Whether plays are recorded.</param>
/// <param name="CreatedAt">When the user was first stored.</param>
public sealed record LockerUser(string Id, string PlanId, long? QuotaOverrideBytes, bool HistoryEnabled, DateTimeOffset CreatedAt);
