namespace MusicLocker.Crypto;

/// <summary>
/// The user's key was destroyed (crypto-shredding): every object of the user, and every copy of it, is unreadable for good.
/// Surfaces through the storage contract as <see cref="Storage.BlobErrorCode.KeyDestroyed"/>.
/// </summary>
public sealed class KeyDestroyedException : EncryptionException
{
    /// <summary>Creates the error.</summary>
    public KeyDestroyedException(KeyOwner owner, string? key = null)
        : base(EncryptionErrorCode.KeyDestroyed, $"The key of user '{EncryptionErrors.Quote(owner.ToString())}' was destroyed; data encrypted under it cannot be read" + (key is null ? "." : $" (blob '{EncryptionErrors.Quote(key)}')."), key)
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
