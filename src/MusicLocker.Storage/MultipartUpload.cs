namespace MusicLocker.Storage;

/// <summary>
/// A started multipart upload. <see cref="UploadId"/> is a plain string that survives a process restart: store it with the
/// key, and any store instance over the same storage resumes the upload.
/// </summary>
/// <param name="Key">The key the upload completes to.</param>
/// <param name="UploadId">The provider's upload id.</param>
public sealed record MultipartUpload(BlobKey Key, string UploadId);

/// <summary>A stored part of a multipart upload. Keep these; completion takes them in part-number order.</summary>
/// <param name="PartNumber">The part number, 1 to <see cref="BlobStoreLimits.MaxPartNumber"/>.</param>
/// <param name="ETag">The part's tag, as returned by the upload of the part.</param>
/// <param name="Length">The part's length in bytes.</param>
public readonly record struct UploadedPart(int PartNumber, ETag ETag, long Length);
