using MusicLocker.Storage;

namespace MusicLocker.Crypto;

/// <summary>
/// An encryption or key error. It is a <see cref="BlobStoreException"/> so that code written against
/// <see cref="IBlobStore"/> catches it through <see cref="EncryptedBlobStore"/>; <see cref="Reason"/> says what failed.
/// </summary>
public class EncryptionException : BlobStoreException
{
    /// <summary>Creates the error.</summary>
    public EncryptionException(EncryptionErrorCode reason, string message, string? key = null, Exception? innerException = null)
        : base(StorageCode(reason), message, key, innerException)
    {
        Reason = reason;
    }

    /// <summary>Creates an error with reason <see cref="EncryptionErrorCode.CiphertextInvalid"/>.</summary>
    public EncryptionException()
        : this(EncryptionErrorCode.CiphertextInvalid, "The ciphertext is not valid.")
    {
    }

    /// <summary>Creates an error with reason <see cref="EncryptionErrorCode.CiphertextInvalid"/>.</summary>
    public EncryptionException(string message)
        : this(EncryptionErrorCode.CiphertextInvalid, message)
    {
    }

    /// <summary>Creates an error with reason <see cref="EncryptionErrorCode.CiphertextInvalid"/>.</summary>
    public EncryptionException(string message, Exception innerException)
        : this(EncryptionErrorCode.CiphertextInvalid, message, null, innerException)
    {
    }

    /// <summary>What failed.</summary>
    public EncryptionErrorCode Reason { get; }

    // The storage contract has no codes of its own for integrity or key failures; the nearest ones keep IsTransient true
    // only where a retry can help (a key service that could not be reached).
    private static BlobErrorCode StorageCode(EncryptionErrorCode reason) => reason switch
    {
        EncryptionErrorCode.KeyDestroyed => BlobErrorCode.AccessDenied,
        EncryptionErrorCode.KeyServiceFailed => BlobErrorCode.Unavailable,
        EncryptionErrorCode.UploadIdInvalid => BlobErrorCode.InvalidArgument,
        EncryptionErrorCode.PartConflict => BlobErrorCode.InvalidPart,
        _ => BlobErrorCode.Unknown,
    };
}

/// <summary>
/// The user's key was destroyed (crypto-shredding): every object of the user, and every copy of it, is unreadable for good.
/// </summary>
public sealed class KeyDestroyedException : EncryptionException
{
    /// <summary>Creates the error.</summary>
    public KeyDestroyedException(KeyOwner owner, string? key = null)
        : base(EncryptionErrorCode.KeyDestroyed, $"The key of user '{owner}' was destroyed; data encrypted under it cannot be read" + (key is null ? "." : $" (blob '{key}')."), key)
    {
        Owner = owner;
    }

    /// <summary>Creates the error.</summary>
    public KeyDestroyedException()
        : this("A user key was destroyed; data encrypted under it cannot be read.")
    {
    }

    /// <summary>Creates the error.</summary>
    public KeyDestroyedException(string message)
        : base(EncryptionErrorCode.KeyDestroyed, message)
    {
    }

    /// <summary>Creates the error.</summary>
    public KeyDestroyedException(string message, Exception innerException)
        : base(EncryptionErrorCode.KeyDestroyed, message, null, innerException)
    {
    }

    /// <summary>The user whose key was destroyed.</summary>
    public KeyOwner Owner { get; }
}
