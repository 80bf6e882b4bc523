using Microsoft.Extensions.Logging;

namespace MusicLocker.Diagnostics;

/// <summary>The locker facade's log messages (EventIds 6000–6999). Never logs tags, file names or other user content; user ids only.</summary>
internal static partial class LockerLog
{
    [LoggerMessage(EventId = 6000, Level = LogLevel.Debug, Message = "Upload for user {UserId} ended {Outcome} ({Bytes} bytes).")]
    public static partial void Uploaded(ILogger logger, string userId, UploadOutcome outcome, long bytes);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "Upload for user {UserId} failed: {ErrorCode}.")]
    public static partial void UploadFailed(ILogger logger, string userId, LockerErrorCode errorCode);

    [LoggerMessage(EventId = 6010, Level = LogLevel.Information, Message = "Account {UserId} deleted: key destroyed {KeyDestroyed}, {Objects} objects and {Tracks} tracks removed, verified {Verified}.")]
    public static partial void AccountDeleted(ILogger logger, string userId, bool keyDestroyed, int objects, int tracks, bool verified);

    [LoggerMessage(EventId = 6020, Level = LogLevel.Information, Message = "Sweep gave up {StaleUploads} stale uploads and removed {OrphanObjects} orphan objects.")]
    public static partial void Swept(ILogger logger, int staleUploads, int orphanObjects);

    [LoggerMessage(EventId = 6030, Level = LogLevel.Information, Message = "Account {UserId} inactive since {LastActiveAt:o}: warned that it will be deleted on or after {DeletionDueAt:o}.")]
    public static partial void RetentionWarned(ILogger logger, string userId, DateTimeOffset lastActiveAt, DateTimeOffset deletionDueAt);

    [LoggerMessage(EventId = 6031, Level = LogLevel.Warning, Message = "Account {UserId} inactive since {LastActiveAt:o} is being deleted for inactivity.")]
    public static partial void RetentionDeleting(ILogger logger, string userId, DateTimeOffset lastActiveAt);

    [LoggerMessage(EventId = 6032, Level = LogLevel.Information, Message = "Retention sweep warned {Warned} and deleted {Deleted} accounts.")]
    public static partial void RetentionSwept(ILogger logger, int warned, int deleted);

    [LoggerMessage(EventId = 6033, Level = LogLevel.Error, Message = "The retention notifier failed to warn account {UserId}; the next retention sweep tries again (the account is not deleted before a warning is delivered).")]
    public static partial void RetentionNoticeFailed(ILogger logger, Exception exception, string userId);

    [LoggerMessage(EventId = 6040, Level = LogLevel.Warning, Message = "Reconcile of user {UserId} found {Kind} at {Subject}: {Detail} (repaired {Repaired}).")]
    public static partial void Drift(ILogger logger, string userId, ReconcileIssueKind kind, string subject, string detail, bool repaired);

    [LoggerMessage(EventId = 6041, Level = LogLevel.Information, Message = "Reconcile of user {UserId}: {Issues} issues, {Repaired} repaired.")]
    public static partial void Reconciled(ILogger logger, string userId, int issues, int repaired);

    [LoggerMessage(EventId = 6050, Level = LogLevel.Information, Message = "Export of user {UserId}: {Tracks} tracks, {Playlists} playlists, {Plays} plays, {Bytes} audio bytes.")]
    public static partial void Exported(ILogger logger, string userId, int tracks, int playlists, long plays, long bytes);

    [LoggerMessage(EventId = 6060, Level = LogLevel.Warning, Message = "A replaced cover picture {StorageKey} could not be deleted; the sweep will remove it.")]
    public static partial void CoverCleanupFailed(ILogger logger, Exception exception, string storageKey);
}
