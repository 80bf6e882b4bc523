using MusicLocker.Storage;

namespace MusicLocker.Crypto;

/// <summary>
/// An encryption or key error. It is a <see cref="BlobStoreException"/>, so code written against <see cref="IBlobStore"/>
/// catches it through <see cref="EncryptedBlobStore"/> and sees a storage code (tamper as
/// <see cref="BlobErrorCode.IntegrityCheckFailed"/>, a shredded key as <see cref="BlobErrorCode.KeyDestroyed"/>, …; the
/// table is in docs/errors.md); <see cref="ErrorCode"/> here says precisely what failed.
/// </summary>
public class EncryptionException : BlobStoreException
{
    /// <summary>Creates the error; its storage code follows from <paramref name="errorCode"/>.</summary>
    public EncryptionException(EncryptionErrorCode errorCode, string message, string? key = null, Exception? innerException = null)
        : base(EncryptionErrors.ToBlobErrorCode(errorCode), message, key, innerException)
    {
        ErrorCode = errorCode;
    }

    /// <summary>Creates an error with code <see cref="EncryptionErrorCode.Unknown"/>.</summary>
    public EncryptionException()
        : this(EncryptionErrorCode.Unknown, "An encryption operation failed.")
    {
    }

    /// <summary>Creates an error with code <see cref="EncryptionErrorCode.Unknown"/>.</summary>
    public EncryptionException(string message)
        : this(EncryptionErrorCode.Unknown, message)
    {
    }

    /// <summary>Creates an error with code <see cref="EncryptionErrorCode.Unknown"/>.</summary>
    public EncryptionException(string message, Exception innerException)
        : this(EncryptionErrorCode.Unknown, message, null, innerException)
    {
    }

    /// <summary>
    /// What failed. The storage-level code (what <see cref="IBlobStore"/> callers branch on) is
    /// <see cref="BlobStoreException.ErrorCode"/> of the base class, e.g. <c>((BlobStoreException)ex).ErrorCode</c>.
    /// </summary>
    public new EncryptionErrorCode ErrorCode { get; }
}
