using Microsoft.Extensions.Logging;

namespace MusicLocker.AspNetCore.Subsonic;

/// <summary>The Subsonic endpoint's log messages (EventIds 7500–7999). Never logs credentials or full user content.</summary>
internal static partial class SubsonicLog
{
    [LoggerMessage(EventId = 7500, Level = LogLevel.Warning, Message = "Subsonic {Mechanism} authentication failed from {Client}")]
    public static partial void AuthenticationFailed(ILogger logger, string mechanism, string client);

    [LoggerMessage(EventId = 7501, Level = LogLevel.Information, Message = "Subsonic {Method} answered error {Code}: {Reason}")]
    public static partial void Refused(ILogger logger, string method, int code, string reason);

    [LoggerMessage(EventId = 7502, Level = LogLevel.Error, Message = "Subsonic {Method} failed")]
    public static partial void Failed(ILogger logger, Exception exception, string method);
}
