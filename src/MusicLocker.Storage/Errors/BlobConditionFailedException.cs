namespace MusicLocker.Storage;

/// <summary>An ETag condition did not hold (a create-only write found a blob, or the current version is not the one named); nothing was changed.</summary>
public sealed class BlobConditionFailedException : BlobStoreException
{
    /// <summary>Creates the error.</summary>
    public BlobConditionFailedException(string key, string message, Exception? innerException = null)
        : base(BlobErrorCode.ConditionFailed, message, key, innerException)
    {
    }
}
