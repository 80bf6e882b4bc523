namespace MusicLocker.Library;

/// <summary>Where an upload session is.</summary>
public enum UploadSessionState
{
    /// <summary>Receiving bytes (resumable from any instance).</summary>
    Open = 0,

    /// <summary>All bytes stored and the track catalogued.</summary>
    Completed,

    /// <summary>Given up; its reservation released.</summary>
    Failed,
}

/// <summary>An upload about to start.</summary>
/// <param name="StorageKey">The key the bytes go to.</param>
/// <param name="FileName">The file's name as the user gave it.</param>
/// <param name="DeclaredBytes">The size the client declared.</param>
/// <param name="ReservationId">The quota reservation holding its bytes.</param>
/// <param name="MultipartUploadId">The object store's multipart upload id, when already started.</param>
public sealed record NewUploadSession(string StorageKey, string FileName, long DeclaredBytes, Guid? ReservationId = null, string? MultipartUploadId = null);

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

/// <summary>A change to an upload session; <see langword="null"/> members stay as they are.</summary>
/// <param name="ReceivedBytes">Bytes stored so far.</param>
/// <param name="MultipartUploadId">The object store's multipart upload id.</param>
/// <param name="State">The new state.</param>
public sealed record UploadSessionUpdate(long? ReceivedBytes = null, string? MultipartUploadId = null, UploadSessionState? State = null);
