namespace MusicLocker.Metadata;

/// <summary>An upload about to start.</summary>
/// <param name="StorageKey">The key the bytes go to.</param>
/// <param name="FileName">The file's name as the user gave it.</param>
/// <param name="DeclaredBytes">The size the client declared.</param>
/// <param name="ReservationId">The quota reservation holding its bytes.</param>
/// <param name="MultipartUploadId">The object store's multipart upload id, when already started.</param>
public sealed record NewUploadSession(string StorageKey, string FileName, long DeclaredBytes, Guid? ReservationId = null, string? MultipartUploadId = null);
