namespace MusicLocker;

/// <summary>How <see cref="ILocker.ReconcileAsync"/> runs.</summary>
public sealed record ReconcileOptions
{
    /// <summary>Repair what is safe to repair (off by default: report only).</summary>
    public bool Repair { get; init; }

    /// <summary>
    /// With <see cref="Repair"/>: also remove catalog entries whose stored file is gone (checked again just before). Off by
    /// default, because the entry is all that is left of the track.
    /// </summary>
    public bool RemoveTracksWithoutObjects { get; init; }

    /// <summary>
    /// Objects and reservations younger than this are reported but never repaired: they may belong to an upload between
    /// its steps (15 minutes by default; at least one minute).
    /// </summary>
    public TimeSpan MinimumAge { get; init; } = TimeSpan.FromMinutes(15);
}

/// <summary>A kind of disagreement between the catalog, the quota ledger and storage.</summary>
public enum ReconcileIssueKind
{
    /// <summary>Never reported (the default value).</summary>
    Unknown = 0,

    /// <summary>A stored object (file, sidecar or upload manifest) that no track and no open upload refers to. Repair deletes it.</summary>
    ObjectWithoutTrack,

    /// <summary>A catalogued track whose stored file is missing. Repair (with <see cref="ReconcileOptions.RemoveTracksWithoutObjects"/>) removes the entry.</summary>
    TrackWithoutObject,

    /// <summary>A track whose stored file's size differs from the size catalogued. Reported only.</summary>
    SizeMismatch,

    /// <summary>The ledger's used bytes differ from the sum of the user's track charges. Repair sets the ledger to the sum.</summary>
    ChargeMismatch,

    /// <summary>The ledger's reserved bytes differ from the sum of the user's reservations. Repair sets the ledger to the sum.</summary>
    ReservedMismatch,

    /// <summary>A quota reservation no open upload owns (a crashed upload's, until it expires). Repair releases it.</summary>
    LeakedReservation,
}

/// <summary>One disagreement found by a reconcile.</summary>
/// <param name="Kind">What disagrees.</param>
/// <param name="Subject">Where: a storage key, a track id, a reservation id, or <c>quota</c>.</param>
/// <param name="Detail">What was seen (sizes, ages).</param>
/// <param name="Repaired">Whether this reconcile repaired it.</param>
public sealed record ReconcileIssue(ReconcileIssueKind Kind, string Subject, string Detail, bool Repaired);

/// <summary>What a reconcile of one user found and repaired.</summary>
/// <param name="UserId">The user.</param>
/// <param name="ObjectsSeen">Stored objects listed.</param>
/// <param name="TracksSeen">Catalogued tracks listed.</param>
/// <param name="Issues">Every disagreement, in the order found.</param>
public sealed record ReconcileReport(string UserId, long ObjectsSeen, long TracksSeen, IReadOnlyList<ReconcileIssue> Issues)
{
    /// <summary>Whether catalog, ledger and storage agreed.</summary>
    public bool IsConsistent => Issues.Count == 0;
}

/// <summary>How far a locker-wide reconcile (<see cref="ILocker.ReconcileAllAsync"/>) has come, reported after each user.</summary>
/// <param name="Users">Users reconciled so far (known users, then storage prefixes of unknown ones).</param>
/// <param name="ObjectsSeen">Stored objects listed so far.</param>
/// <param name="TracksSeen">Catalogued tracks listed so far.</param>
/// <param name="Issues">Disagreements found so far.</param>
/// <param name="Repaired">Disagreements repaired so far.</param>
/// <param name="LastUserId">The user just reconciled.</param>
public sealed record ReconcileProgress(long Users, long ObjectsSeen, long TracksSeen, long Issues, long Repaired, string LastUserId);
