namespace MusicLocker.Storage;

/// <summary>No blob has the key, or (with <see cref="BlobErrorCode.UploadNotFound"/>) the multipart upload does not exist.</summary>
public sealed class BlobNotFoundException : BlobStoreException
{
    /// <summary>Creates the error.</summary>
    public BlobNotFoundException(string key, string? message = null, BlobErrorCode errorCode = BlobErrorCode.BlobNotFound, Exception? innerException = null)
        : base(errorCode, message ?? $"No blob has the key '{key}'.", key, innerException)
    {
    }
}
