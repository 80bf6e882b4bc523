using System.Diagnostics.CodeAnalysis;

namespace MusicLocker.Storage.Providers;

/// <summary>
/// The errors both cloud providers raise the same way (the argument checks themselves are <see cref="BlobStoreValidation"/>).
/// Compiled into both cloud provider assemblies (linked, not copied).
/// </summary>
internal static class ProviderValidation
{
    [DoesNotReturn]
    public static void ThrowInvalidPart(BlobKey key, string message) => throw new BlobStoreException(BlobErrorCode.InvalidPart, message, key.Value);

    public static BlobNotFoundException UploadNotFound(MultipartUpload upload, Exception? inner = null) =>
        new(upload.Key.Value, $"The multipart upload '{upload.UploadId}' to '{upload.Key}' does not exist: it was completed, aborted or swept.", BlobErrorCode.UploadNotFound, inner);

    public static BlobConditionFailedException ConditionFailed(BlobKey key, BlobRequestConditions? conditions, Exception? inner = null) =>
        new(key.Value, conditions?.IfNoneMatchAny == true
            ? $"A blob with the key '{key}' exists already (create-only write)."
            : conditions?.IfMatch is { } expected
                ? $"The blob '{key}' is not at version {expected} (it was changed or deleted)."
                : $"A condition on blob '{key}' did not hold.", inner);

    public static BlobConditionFailedException ReadVersionChanged(BlobKey key, ETag expected, ETag actual) =>
        new(key.Value, $"The blob '{key}' is at version {actual}, not {expected}.");
}
