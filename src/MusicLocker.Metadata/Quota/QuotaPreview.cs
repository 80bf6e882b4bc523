namespace MusicLocker.Metadata.Quota;

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
