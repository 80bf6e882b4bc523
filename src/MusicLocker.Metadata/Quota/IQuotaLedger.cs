namespace MusicLocker.Metadata.Quota;

/// <summary>
/// The quota ledger. Protocol: <see cref="ReserveAsync"/> before any byte is stored, then commit the actual size
/// (<see cref="CommitAsync"/>, or <c>ITrackCatalog.AddTrackAsync</c> with the reservation, which also catalogues the track),
/// or <see cref="ReleaseAsync"/> on failure or cancel. A reservation neither committed nor released expires after the
/// store's reservation lifetime, measured on its <see cref="TimeProvider"/>, so a crashed upload never leaks quota.
/// Every operation is atomic in the database, across threads, connections and app instances.
/// <para>
/// A user stored on a plan id the store's <see cref="QuotaPlanCatalog"/> no longer defines (the app removed the plan) is
/// not an error: the user is on a placeholder plan of that id with a limit of 0 bytes (a per-user override still
/// applies), so nothing new fits, while status, removing tracks and <see cref="SetPlanAsync"/> keep working. Move such
/// users to a defined plan.
/// </para>
/// </summary>
public interface IQuotaLedger
{
    /// <summary>The user's plan, limit, usage and unexpired reservations.</summary>
    /// <exception cref="MetadataNotFoundException">The user does not exist.</exception>
    Task<QuotaStatus> GetStatusAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>Holds <paramref name="bytes"/> of the user's quota for an upload about to start.</summary>
    /// <exception cref="QuotaExceededException">The bytes do not fit; nothing was reserved.</exception>
    /// <exception cref="MetadataNotFoundException">The user does not exist.</exception>
    Task<QuotaReservation> ReserveAsync(string userId, long bytes, CancellationToken cancellationToken = default);

    /// <summary>
    /// Ends a reservation by charging <paramref name="actualBytes"/> (which may differ from the bytes reserved; more than
    /// reserved must fit in what is left). For a track, prefer <c>ITrackCatalog.AddTrackAsync</c>, which applies the
    /// purchased and duplicate rules and catalogues the track in the same transaction.
    /// </summary>
    /// <returns>The user's quota after the commit.</returns>
    /// <exception cref="MetadataNotFoundException">The user has no such reservation: it was committed, released, has expired, or is another user's (never told apart).</exception>
    /// <exception cref="QuotaExceededException">The actual size exceeds the reservation and the rest does not fit; the reservation stays.</exception>
    Task<QuotaStatus> CommitAsync(string userId, Guid reservationId, long actualBytes, CancellationToken cancellationToken = default);

    /// <summary>Releases a reservation of the user without charging anything.</summary>
    /// <returns><see langword="false"/> when the user has no such reservation (committed, released, expired, or another user's).</returns>
    Task<bool> ReleaseAsync(string userId, Guid reservationId, CancellationToken cancellationToken = default);

    /// <summary>What a planned upload would need, what is left, and which files fit.</summary>
    /// <exception cref="MetadataNotFoundException">The user does not exist.</exception>
    Task<QuotaPreview> PreviewAsync(string userId, IReadOnlyList<PlannedUpload> files, CancellationToken cancellationToken = default);

    /// <summary>Moves the user to another plan, with an optional per-user limit that overrides the plan's.</summary>
    /// <exception cref="MetadataArgumentException">The plan is not in the store's plan catalog, or the override is outside 0 to <see cref="MetadataLimits.MaxQuotaBytes"/>.</exception>
    /// <exception cref="MetadataNotFoundException">The user does not exist.</exception>
    Task<QuotaStatus> SetPlanAsync(string userId, string planId, long? overrideLimitBytes = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Recomputes the user's usage from the objects actually stored and reports the drift; with <paramref name="apply"/>
    /// the ledger takes the recomputed value. <paramref name="storedObjects"/> is read once, as it streams (e.g. a storage
    /// listing of the user's prefix mapped to billable sizes), before the ledger is locked: a slow listing holds no lock.
    /// </summary>
    /// <exception cref="MetadataArgumentException">An object is null, lies outside the user's prefix, or has a size out of range; nothing was changed.</exception>
    /// <exception cref="MetadataNotFoundException">The user does not exist.</exception>
    Task<QuotaReconciliation> ReconcileAsync(string userId, IAsyncEnumerable<StoredObject> storedObjects, bool apply = false, CancellationToken cancellationToken = default);

    /// <summary>The user's unexpired reservations, oldest first (reconciliation looks for ones no upload owns).</summary>
    /// <exception cref="MetadataNotFoundException">The user does not exist.</exception>
    Task<IReadOnlyList<QuotaReservation>> ListReservationsAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Compares the user's ledger counters with what the database itself records, in one transaction: used bytes against
    /// the sum of the user's track charges, reserved bytes against the sum of the user's reservation rows. With
    /// <paramref name="repair"/> the counters take the recomputed values in the same transaction, so an upload committing at
    /// the same moment is counted exactly once.
    /// </summary>
    /// <exception cref="MetadataNotFoundException">The user does not exist.</exception>
    Task<QuotaUsageCheck> CheckUsageAsync(string userId, bool repair = false, CancellationToken cancellationToken = default);
}
