namespace MusicLocker.Quota;

/// <summary>One file of a planned upload, as the preview needs it.</summary>
/// <param name="Name">The file's name, echoed in the verdict.</param>
/// <param name="SizeBytes">Its size in bytes.</param>
/// <param name="ContentHash">The hash of its bytes when the app knows it already (a file identical to a stored track, or to an earlier file of the same plan, counts zero).</param>
/// <param name="IsPurchased">Whether the app marks it purchased (counts zero).</param>
public sealed record PlannedUpload(string Name, long SizeBytes, string? ContentHash = null, bool IsPurchased = false);

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

/// <summary>The verdict on one planned file.</summary>
/// <param name="File">The file.</param>
/// <param name="ChargedBytes">The bytes it would count.</param>
/// <param name="Charge">Why.</param>
/// <param name="Fits">Whether it fits, taking the files before it in the list first.</param>
public sealed record PlannedUploadVerdict(PlannedUpload File, long ChargedBytes, PlannedUploadCharge Charge, bool Fits);

/// <summary>"These N files need X, you have Y left of Z: fits / does not fit, and which do."</summary>
/// <param name="Status">The quota the preview was computed against.</param>
/// <param name="NeededBytes">What all the files together would count.</param>
/// <param name="Files">One verdict per file, in the order given.</param>
public sealed record QuotaPreview(QuotaStatus Status, long NeededBytes, IReadOnlyList<PlannedUploadVerdict> Files)
{
    /// <summary>The number of files planned.</summary>
    public int FileCount => Files.Count;

    /// <summary>Whether every file fits.</summary>
    public bool Fits => NeededBytes <= Status.AvailableBytes;
}
