using Microsoft.Extensions.Logging;

namespace MusicLocker.Storage.Azure.Internal;

/// <summary>The Azure provider's log messages (Storage area EventIds 1750–1799). Keys are logged; contents and credentials never.</summary>
internal static partial class AzureLog
{
    [LoggerMessage(EventId = 1750, Level = LogLevel.Warning, Message = "Azure Blob {Operation}: sending {Method} again (try {Try}) after a transient failure")]
    public static partial void Retrying(ILogger logger, string operation, string method, int @try);

    [LoggerMessage(EventId = 1751, Level = LogLevel.Debug, Message = "Azure Blob {Operation} of '{Key}' failed with {ErrorCode}")]
    public static partial void OperationFailed(ILogger logger, string operation, string key, BlobErrorCode errorCode, Exception exception);

    [LoggerMessage(EventId = 1752, Level = LogLevel.Debug, Message = "Azure Blob copy to '{Key}' is pending; polling again in {Delay}")]
    public static partial void CopyPending(ILogger logger, string key, TimeSpan delay);
}
