namespace MusicLocker.Metadata.Quota;

/// <summary>One file of a planned upload, as the preview needs it.</summary>
/// <param name="Name">The file's name, echoed in the verdict.</param>
/// <param name="SizeBytes">Its size in bytes.</param>
/// <param name="ContentHash">The hash of its bytes when the app knows it already (a file identical to a stored track, or to an earlier file of the same plan, counts zero).</param>
/// <param name="IsPurchased">Whether the app marks it purchased (counts zero).</param>
public sealed record PlannedUpload(string Name, long SizeBytes, string? ContentHash = null, bool IsPurchased = false);
