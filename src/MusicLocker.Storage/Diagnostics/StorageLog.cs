using Microsoft.Extensions.Logging;

namespace MusicLocker.Storage.Diagnostics;

/// <summary>The storage layer's log events (EventIds 1000–1999), listed in <c>docs/telemetry.md</c>. Never logs blob bytes.</summary>
internal static partial class StorageLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Sweep of store {Root} removed {TempFiles} temp files and {Uploads} abandoned uploads, freeing {Bytes} bytes")]
    public static partial void SweepCompleted(ILogger logger, string root, int tempFiles, int uploads, long bytes);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Listing skipped blob {Key}: its file {Path} is damaged ({Reason}); reading the key reports it, deleting it removes it")]
    public static partial void DamagedBlobSkipped(ILogger logger, string key, string path, string reason);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Debug, Message = "A write in folder {Folder} raced a sweep (attempt {Attempt}): {Race}; trying again")]
    public static partial void FolderRaceRetried(ILogger logger, string folder, int attempt, string race);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Debug, Message = "Opening {Path} met a sweep's momentary lock on it (attempt {Attempt}); trying again")]
    public static partial void LockedOpenRetried(ILogger logger, string path, int attempt);

}
