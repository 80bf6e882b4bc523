namespace MusicLocker.Metadata.Quota;

/// <summary>A user's quota at one moment.</summary>
/// <param name="UserId">The user.</param>
/// <param name="Plan">The user's plan.</param>
/// <param name="LimitBytes">The quota in force: the user's override when set, else the plan's limit.</param>
/// <param name="UsedBytes">Bytes committed (purchased tracks and duplicates count zero).</param>
/// <param name="ReservedBytes">Bytes held by unexpired reservations.</param>
public sealed record QuotaStatus(string UserId, QuotaPlan Plan, long LimitBytes, long UsedBytes, long ReservedBytes)
{
    /// <summary>Bytes that can still be reserved (never negative, even when a lowered limit leaves the user over quota).</summary>
    public long AvailableBytes => Math.Max(0, LimitBytes - UsedBytes - ReservedBytes);
}
