namespace MusicLocker.Metadata.Quota;

/// <summary>The verdict on one planned file.</summary>
/// <param name="File">The file.</param>
/// <param name="ChargedBytes">The bytes it would count.</param>
/// <param name="Charge">Why.</param>
/// <param name="Fits">Whether it fits, taking the files before it in the list first.</param>
public sealed record PlannedUploadVerdict(PlannedUpload File, long ChargedBytes, PlannedUploadCharge Charge, bool Fits);
