using Microsoft.Extensions.Logging;

namespace MusicLocker.AspNetCore.Diagnostics;

/// <summary>The ASP.NET Core layer's log messages (EventIds 7000–7499).</summary>
internal static partial class AspNetCoreLog
{
    [LoggerMessage(EventId = 7000, Level = LogLevel.Warning, Message = "Streaming track {TrackId} failed after the headers were sent ({ErrorCode}); the connection was aborted.")]
    public static partial void StreamFailed(ILogger logger, Guid trackId, LockerErrorCode errorCode, Exception exception);

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "A signed URL or share link was refused: {Reason}.")]
    public static partial void TokenRefused(ILogger logger, TokenRejection reason);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Error, Message = "{Path} failed: {ErrorCode}.")]
    public static partial void RequestFailed(ILogger logger, string path, LockerErrorCode errorCode, Exception exception);
}
