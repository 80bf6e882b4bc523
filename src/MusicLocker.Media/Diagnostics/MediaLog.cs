using Microsoft.Extensions.Logging;

namespace MusicLocker.Media.Diagnostics;

/// <summary>The area's log messages (EventIds 3000–3999). No tag values or file content are logged: offsets and the prober's own words.</summary>
internal static partial class MediaLog
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "Probe of a {Format} file: {Warning}")]
    public static partial void ProbeWarning(ILogger logger, string format, MediaWarning warning);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Probe refused the file: {ErrorCode} at byte {Offset}")]
    public static partial void ProbeRefused(ILogger logger, MediaErrorCode errorCode, long? offset, Exception exception);
}
