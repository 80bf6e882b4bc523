namespace MusicLocker.Crypto;

/// <summary>What went wrong in an encryption or key operation (the storage-level code is on <see cref="Storage.BlobStoreException.ErrorCode"/>).</summary>
public enum EncryptionErrorCode
{
    /// <summary>The ciphertext was modified, truncated, extended, reordered or moved: a chunk's tag did not verify, or its length is impossible.</summary>
    CiphertextInvalid = 1,

    /// <summary>The key commitment did not match: the wrong key, or a ciphertext moved to another object or user.</summary>
    KeyCommitmentMismatch,

    /// <summary>The ciphertext starts with a prefix this version does not know (magic, format version or suite).</summary>
    UnsupportedFormat,

    /// <summary>A wrapped key did not unwrap: it was modified, wrapped for another object or user, or under another key.</summary>
    KeyUnwrapFailed,

    /// <summary>A key (master key version, user key version, or a blob's wrapped data key) is missing.</summary>
    KeyNotFound,

    /// <summary>The user's key was destroyed (crypto-shredding); nothing encrypted under it can be read again.</summary>
    KeyDestroyed,

    /// <summary>A key record changed under a concurrent writer more often than the operation retries.</summary>
    ConcurrentUpdate,

    /// <summary>A key ring file is malformed or readable by others than its owner.</summary>
    KeyRingInvalid,

    /// <summary>The master key service refused or could not be reached.</summary>
    KeyServiceFailed,

    /// <summary>A key ring file is missing or cannot be read (the path, its permissions, or the disk).</summary>
    KeyRingUnavailable,

    /// <summary>A key (master key or user key) is at version <see cref="int.MaxValue"/> and cannot rotate again.</summary>
    KeyVersionExhausted,

    /// <summary>A multipart upload id was not issued by this store for this blob, was modified, or has expired.</summary>
    UploadIdInvalid,

    /// <summary>A multipart part number was already sent with other bytes; encrypting a second body under its nonces is refused.</summary>
    PartConflict,
}
