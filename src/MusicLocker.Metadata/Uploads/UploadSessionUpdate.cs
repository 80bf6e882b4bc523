namespace MusicLocker.Metadata;

/// <summary>A change to an upload session; <see langword="null"/> members stay as they are.</summary>
/// <param name="ReceivedBytes">Bytes stored so far.</param>
/// <param name="MultipartUploadId">The object store's multipart upload id.</param>
/// <param name="State">The new state.</param>
public sealed record UploadSessionUpdate(long? ReceivedBytes = null, string? MultipartUploadId = null, UploadSessionState? State = null);
