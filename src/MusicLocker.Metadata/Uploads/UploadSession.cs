namespace MusicLocker.Metadata;

/// <summary>An upload in progress, shared by every app instance so that any of them can resume it.</summary>
/// <param name="Id">The session id.</param>
/// <param name="UserId">The uploader.</param>
/// <param name="StorageKey">The key the bytes go to.</param>
/// <param name="FileName">The file's name.</param>
/// <param name="DeclaredBytes">The declared size.</param>
/// <param name="ReceivedBytes">Bytes stored so far.</param>
/// <param name="ReservationId">Its quota reservation.</param>
/// <param name="MultipartUploadId">The object store's multipart upload id.</param>
/// <param name="State">Where it is.</param>
/// <param name="Version">Increments on every update; pass it back to update (optimistic concurrency).</param>
/// <param name="CreatedAt">When it started.</param>
/// <param name="UpdatedAt">When it last changed.</param>
public sealed record UploadSession(
    Guid Id,
    string UserId,
    string StorageKey,
    string FileName,
    long DeclaredBytes,
    long ReceivedBytes,
    Guid? ReservationId,
    string? MultipartUploadId,
    UploadSessionState State,
    int Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);
