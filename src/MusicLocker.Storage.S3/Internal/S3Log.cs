using Microsoft.Extensions.Logging;

namespace MusicLocker.Storage.S3.Internal;

/// <summary>The S3 provider's log messages (Storage area EventIds 1700–1749). Keys are logged; contents and credentials never.</summary>
internal static partial class S3Log
{
    [LoggerMessage(EventId = 1700, Level = LogLevel.Warning, Message = "S3 {Operation}: the SDK sends {Method} again (attempt {Attempt}) after a transient failure")]
    public static partial void Retrying(ILogger logger, string operation, string method, int attempt);

    [LoggerMessage(EventId = 1701, Level = LogLevel.Debug, Message = "S3 {Operation} of '{Key}' failed with {ErrorCode}")]
    public static partial void OperationFailed(ILogger logger, string operation, string key, BlobErrorCode errorCode, Exception exception);

    [LoggerMessage(EventId = 1702, Level = LogLevel.Information, Message = "S3 copy of '{Source}' ({Length} bytes) to '{Destination}' as a multipart copy of {Parts} parts")]
    public static partial void MultipartCopy(ILogger logger, string source, string destination, long length, int parts);
}
