using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using MusicLocker.Storage.Providers;

namespace MusicLocker.Storage.S3.Internal;

/// <summary>Maps AWS SDK failures to the storage exceptions, so no AWS type crosses the provider's surface.</summary>
internal static class S3Errors
{
    /// <summary>Whether <paramref name="ex"/> is a failure this provider translates (and not the caller's own cancellation).</summary>
    public static bool IsTranslatable(Exception ex, CancellationToken cancellationToken) =>
        ex is AmazonServiceException or AmazonClientException or HttpRequestException or IOException
        || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    public static bool Is(Exception ex, HttpStatusCode status) => ex is AmazonServiceException s && s.StatusCode == status;

    public static bool HasCode(Exception ex, string code) => ex is AmazonServiceException s && string.Equals(s.ErrorCode, code, StringComparison.Ordinal);

    /// <summary>The storage exception for a failed operation on <paramref name="key"/> (<paramref name="operation"/> names it in the message).</summary>
    public static BlobStoreException Map(Exception ex, string operation, BlobKey key)
    {
        string k = key.IsDefault ? string.Empty : key.Value;
        if (ex is OperationCanceledException)
        {
            return new BlobStoreException(BlobErrorCode.Unavailable, $"{operation} of '{k}' timed out; the S3 endpoint did not answer in time.", k, ex);
        }

        if (ex is not AmazonServiceException service || service.StatusCode == 0)
        {
            return new BlobStoreException(BlobErrorCode.Unavailable, $"{operation} of '{k}' could not reach the S3 endpoint: {ex.Message}", k, ex);
        }

        string detail = $"{operation} of '{k}' failed: S3 answered {(int)service.StatusCode} {service.ErrorCode}: {service.Message}";
        switch (service.StatusCode)
        {
            case HttpStatusCode.NotFound when service.ErrorCode == "NoSuchUpload":
                return new BlobNotFoundException(k, $"The multipart upload to '{k}' does not exist: it was completed, aborted or swept. ({detail})", BlobErrorCode.UploadNotFound, ex);
            case HttpStatusCode.NotFound when service.ErrorCode == "NoSuchBucket":
                return new BlobStoreException(BlobErrorCode.InvalidArgument, $"The bucket does not exist; create it or fix S3BlobStoreOptions.BucketName. ({detail})", k, ex);
            case HttpStatusCode.NotFound:
                return new BlobNotFoundException(k, null, BlobErrorCode.BlobNotFound, ex);
            case HttpStatusCode.PreconditionFailed:
            case HttpStatusCode.Conflict when service.ErrorCode is "ConditionalRequestConflict" or "OperationAborted":
                return new BlobConditionFailedException(k, $"A condition on blob '{k}' did not hold; nothing was written. ({detail})", ex);
            case HttpStatusCode.Forbidden:
            case HttpStatusCode.Unauthorized:
                return new BlobStoreException(BlobErrorCode.AccessDenied, $"{detail}. Check the credentials and the bucket policy.", k, ex);
            case HttpStatusCode.BadRequest when service.ErrorCode is "InvalidPart" or "InvalidPartOrder" or "EntityTooSmall":
                return new BlobStoreException(BlobErrorCode.InvalidPart, detail, k, ex);
            case HttpStatusCode.RequestTimeout:
            case HttpStatusCode.TooManyRequests:
            case HttpStatusCode.ServiceUnavailable:
            case HttpStatusCode.BadGateway:
            case HttpStatusCode.GatewayTimeout:
            case HttpStatusCode.InternalServerError:
                return new BlobStoreException(BlobErrorCode.Unavailable, $"{detail}. Retrying later may succeed.", k, ex);
            case HttpStatusCode.NotImplemented:
                return new BlobStoreException(BlobErrorCode.Unknown, $"{operation} is not implemented by this S3 endpoint ({service.ErrorCode}).", k, ex);
            case HttpStatusCode.BadRequest:
                return new BlobStoreException(service.ErrorCode == "SlowDown" ? BlobErrorCode.Unavailable : BlobErrorCode.InvalidArgument, detail, k, ex);
            default:
                return new BlobStoreException((int)service.StatusCode >= 500 ? BlobErrorCode.Unavailable : BlobErrorCode.Unknown, detail, k, ex);
        }
    }

    public static BlobStoreException MapUpload(Exception ex, string operation, MultipartUpload upload) =>
        HasCode(ex, "NoSuchUpload") ? ProviderErrors.UploadNotFound(upload, ex) : Map(ex, operation, upload.Key);
}
