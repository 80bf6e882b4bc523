using System.Net;
using Azure;

namespace MusicLocker.Storage.Azure.Internal;

/// <summary>Maps Azure SDK failures (status and service error code) to the storage exceptions, so no Azure type crosses the store.</summary>
internal static class AzureErrors
{
    /// <summary>
    /// Whether <paramref name="ex"/> is a failure this provider translates: a service answer, the SDK's spent retries
    /// (an <see cref="AggregateException"/>), a network error, or a timeout (a cancellation the caller did not ask for).
    /// </summary>
    public static bool IsTranslatable(Exception ex, CancellationToken cancellationToken) =>
        ex is RequestFailedException or AggregateException or HttpRequestException or IOException
        || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    public static bool Is(Exception ex, HttpStatusCode status, string? code = null) =>
        ex is RequestFailedException r && r.Status == (int)status && (code is null || r.ErrorCode == code);

    /// <summary>A 404 about the blob itself (not the container, which is a configuration error).</summary>
    public static bool IsBlobMissing(Exception ex) =>
        ex is RequestFailedException { Status: 404 } r && r.ErrorCode != "ContainerNotFound";

    /// <summary>The storage exception for a failed <paramref name="operation"/> on <paramref name="key"/>.</summary>
    public static BlobStoreException Map(Exception ex, string operation, string key)
    {
        if (ex is not RequestFailedException failed || failed.Status == 0)
        {
            string why = ex is OperationCanceledException ? "no answer within AzureBlobStoreOptions.NetworkTimeout" : FirstLine(ex.Message);
            return new BlobStoreException(BlobErrorCode.Unavailable, $"{operation} of '{key}' failed: the Azure Blob endpoint could not be reached ({why}); retries were spent.", key, ex);
        }

        string detail = $"{operation} of '{key}' failed: Azure Blob answered {failed.Status} {failed.ErrorCode}: {FirstLine(failed.Message)}";
        return ((HttpStatusCode)failed.Status, failed.ErrorCode) switch
        {
            (HttpStatusCode.NotFound, "ContainerNotFound") => new BlobStoreException(BlobErrorCode.InvalidArgument, $"{detail}. Create the container or fix AzureBlobStoreOptions.ContainerName.", key, ex),
            (HttpStatusCode.NotFound, _) => new BlobNotFoundException(key, $"No blob has the key '{key}'. ({detail})", BlobErrorCode.BlobNotFound, ex),
            (HttpStatusCode.PreconditionFailed, _) => new BlobConditionFailedException(key, detail, ex),
            (HttpStatusCode.Conflict, "BlobAlreadyExists") => new BlobConditionFailedException(key, $"A blob with the key '{key}' exists already (create-only write).", ex),
            (HttpStatusCode.RequestedRangeNotSatisfiable, _) => new BlobStoreException(BlobErrorCode.RangeNotSatisfiable, detail, key, ex),
            (HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized, _) => new BlobStoreException(BlobErrorCode.AccessDenied, $"{detail}. Check the account key, SAS (permissions, expiry) or token role.", key, ex),
            (HttpStatusCode.BadRequest, "InvalidBlockList" or "InvalidBlockId") => new BlobStoreException(BlobErrorCode.InvalidPart, detail, key, ex),
            (HttpStatusCode.BadRequest, _) => new BlobStoreException(BlobErrorCode.InvalidArgument, detail, key, ex),
            (HttpStatusCode.NotImplemented, _) => new BlobStoreException(BlobErrorCode.Unknown, $"{detail}. This endpoint does not implement the operation; retrying will not help.", key, ex),
            _ when IsTransient(failed.Status) => new BlobStoreException(BlobErrorCode.Unavailable, $"{detail}. Retries were spent; retrying later may succeed.", key, ex),
            _ => new BlobStoreException(failed.Status >= 500 ? BlobErrorCode.Unavailable : BlobErrorCode.Unknown, detail, key, ex),
        };
    }

    private static bool IsTransient(int status) => status is 408 or 429 or 500 or 502 or 503 or 504;

    /// <summary>The SDK's messages hold the whole response (headers included) after the first line.</summary>
    private static string FirstLine(string message)
    {
        int newline = message.IndexOf('\n', StringComparison.Ordinal);
        return (newline > 0 ? message[..newline] : message).Trim();
    }
}
