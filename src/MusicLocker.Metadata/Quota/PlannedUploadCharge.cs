namespace MusicLocker.Metadata.Quota;

/// <summary>Why a planned file counts what it counts.</summary>
public enum PlannedUploadCharge
{
    /// <summary>It counts its size.</summary>
    Counted = 0,

    /// <summary>Purchased music does not count.</summary>
    Purchased,

    /// <summary>Identical to a stored track or to an earlier file of the plan: it does not count twice.</summary>
    Duplicate,
}
