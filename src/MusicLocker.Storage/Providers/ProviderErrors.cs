namespace MusicLocker.Storage.Providers;

/// <summary>
/// The errors every provider raises the same way, with the same codes and messages, whatever its service answered
/// (the argument checks themselves are <see cref="BlobStoreValidation"/>). Each returns the exception for the caller to throw.
/// </summary>
public static class ProviderErrors
{
    /// <summary>A multipart completion named a part that is missing or was replaced (<see cref="BlobErrorCode.InvalidPart"/>).</summary>
    public static BlobStoreException InvalidPart(BlobKey key, string message)
    {
        ArgumentException.ThrowIfNullOrEmpty(message);
        return new BlobStoreException(BlobErrorCode.InvalidPart, message, key.Value);
    }

    /// <summary>The multipart upload does not exist: completed, aborted or swept (<see cref="BlobErrorCode.UploadNotFound"/>).</summary>
    public static BlobNotFoundException UploadNotFound(MultipartUpload upload, Exception? innerException = null)
    {
        ArgumentNullException.ThrowIfNull(upload);
        return new(upload.Key.Value, $"The multipart upload '{upload.UploadId}' to '{upload.Key}' does not exist: it was completed, aborted or swept.", BlobErrorCode.UploadNotFound, innerException);
    }

    /// <summary>A write's <paramref name="conditions"/> did not hold; the message says which one.</summary>
    public static BlobConditionFailedException ConditionFailed(BlobKey key, BlobRequestConditions? conditions, Exception? innerException = null) =>
        new(key.Value, conditions?.IfNoneMatchAny == true
            ? $"A blob with the key '{key}' exists already (create-only write)."
            : conditions?.IfMatch is { } expected
                ? $"The blob '{key}' is not at version {expected} (it was changed or deleted)."
                : $"A condition on blob '{key}' did not hold.", innerException);

    /// <summary>The blob is at <paramref name="actual"/>, not at the <paramref name="expected"/> version a read or delete asked for.</summary>
    public static BlobConditionFailedException VersionChanged(BlobKey key, ETag expected, ETag actual) =>
        new(key.Value, $"The blob '{key}' is at version {actual}, not {expected}.");
}
