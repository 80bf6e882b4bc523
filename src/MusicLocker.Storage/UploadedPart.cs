namespace MusicLocker.Storage;

/// <summary>A stored part of a multipart upload. Keep these; completion takes them in part-number order.</summary>
/// <param name="PartNumber">The part number, 1 to <see cref="BlobStoreLimits.MaxPartNumber"/>.</param>
/// <param name="ETag">The part's tag, as returned by the upload of the part.</param>
/// <param name="Length">The part's length in bytes.</param>
public readonly record struct UploadedPart(int PartNumber, ETag ETag, long Length);
