namespace MusicLocker.Metadata.Quota;

/// <summary>A user's ledger counters against the sums the database records (<see cref="IQuotaLedger.CheckUsageAsync"/>).</summary>
/// <param name="UserId">The user.</param>
/// <param name="RecordedUsedBytes">The ledger's used bytes.</param>
/// <param name="ChargedBytes">The sum of the charges of the user's catalogued tracks.</param>
/// <param name="RecordedReservedBytes">The ledger's reserved bytes.</param>
/// <param name="ReservationBytes">The sum of the user's reservation rows (expired ones not yet swept included).</param>
/// <param name="Repaired">Whether the counters were set to the sums.</param>
public sealed record QuotaUsageCheck(string UserId, long RecordedUsedBytes, long ChargedBytes, long RecordedReservedBytes, long ReservationBytes, bool Repaired)
{
    /// <summary>Whether a counter disagreed with its sum.</summary>
    public bool HasDrift => RecordedUsedBytes != ChargedBytes || RecordedReservedBytes != ReservationBytes;
}
