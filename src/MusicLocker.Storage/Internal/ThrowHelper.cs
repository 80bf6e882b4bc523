using System.Diagnostics.CodeAnalysis;

namespace MusicLocker.Storage;

internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowInvalidKey(string key, BlobKeyRule rule, string detail) => throw new InvalidBlobKeyException(key, rule, detail);

    [DoesNotReturn]
    public static void ThrowNotFound(BlobKey key) => throw new BlobNotFoundException(key.Value);

    [DoesNotReturn]
    public static void ThrowUploadNotFound(MultipartUpload upload) =>
        throw new BlobNotFoundException(upload.Key.Value, $"The multipart upload '{upload.UploadId}' to '{upload.Key}' does not exist: it was completed, aborted or swept.", BlobErrorCode.UploadNotFound);

    [DoesNotReturn]
    public static void ThrowRangeNotSatisfiable(BlobKey key, ByteRange range, long length) => throw new RangeNotSatisfiableException(key.Value, range, length);

    [DoesNotReturn]
    public static void ThrowExists(BlobKey key) => throw new BlobConditionFailedException(key.Value, $"A blob with the key '{key}' exists already (create-only write).");

    [DoesNotReturn]
    public static void ThrowETagMismatch(BlobKey key, ETag expected, ETag? actual) =>
        throw new BlobConditionFailedException(key.Value, actual is null
            ? $"The blob '{key}' does not exist; the condition asked for version {expected}."
            : $"The blob '{key}' is at version {actual.Value}, not {expected}.");

    [DoesNotReturn]
    public static void ThrowInvalidPart(BlobKey key, string message) => throw new BlobStoreException(BlobErrorCode.InvalidPart, message, key.Value);
}
