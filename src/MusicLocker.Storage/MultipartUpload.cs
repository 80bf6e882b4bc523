namespace MusicLocker.Storage;

/// <summary>
/// A started multipart upload. <see cref="UploadId"/> is a plain string that survives a process restart: store it with the
/// key, and any store instance over the same storage resumes the upload.
/// </summary>
/// <param name="Key">The key the upload completes to.</param>
/// <param name="UploadId">The provider's upload id.</param>
public sealed record MultipartUpload(BlobKey Key, string UploadId);
