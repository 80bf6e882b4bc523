namespace MusicLocker.Crypto;

/// <summary>
/// What went wrong in an encryption or key operation. Through the <see cref="Storage.IBlobStore"/> contract each code
/// surfaces as one <see cref="Storage.BlobErrorCode"/> (the table is in docs/errors.md, section Crypto).
/// </summary>
public enum EncryptionErrorCode
{
    /// <summary>An error with no more specific code; see the message and inner exception.</summary>
    Unknown = 0,

    /// <summary>The ciphertext was modified, truncated, extended, reordered or moved: a chunk's tag did not verify, or its length is impossible.</summary>
    CiphertextInvalid = 1,

    /// <summary>The key commitment did not match: the wrong key, or a ciphertext moved to another object or user.</summary>
    KeyCommitmentMismatch,

    /// <summary>The ciphertext starts with a prefix this version does not know (magic, format version or suite), or the blob has no encryption metadata.</summary>
    UnsupportedFormat,

    /// <summary>A wrapped key did not unwrap: it was modified, wrapped for another object or user, or under another key.</summary>
    KeyUnwrapFailed,

    /// <summary>A key (master key version, user key version, or a blob's wrapped data key) is missing.</summary>
    KeyNotFound,

    /// <summary>The user's key was destroyed (crypto-shredding); nothing encrypted under it can be read again.</summary>
    KeyDestroyed,

    /// <summary>A key record changed under a concurrent writer more often than the operation retries.</summary>
    ConcurrentUpdate,

    /// <summary>A key ring file is malformed, a symlink, or accessible to others than its owner.</summary>
    KeyRingInvalid,

    /// <summary>The master key service could not be reached or failed for now (throttling, 5xx, network); retrying may succeed.</summary>
    KeyServiceFailed,

    /// <summary>A key ring file is missing or cannot be read or written (the path, its permissions, or the disk).</summary>
    KeyRingUnavailable,

    /// <summary>A key (master key or user key) is at version <see cref="int.MaxValue"/> and cannot rotate again.</summary>
    KeyVersionExhausted,

    /// <summary>A multipart upload id was not issued by this store for this blob, was modified, or has expired.</summary>
    UploadIdInvalid,

    /// <summary>A multipart part number was already sent with other bytes; encrypting a second body under its nonces is refused.</summary>
    PartConflict,

    /// <summary>
    /// The tenant, user or object a key is bound to is not valid: an id is empty, too long, holds '/', a control character
    /// or an unpaired surrogate, or the store's owner mapping could not map a blob key to an owner.
    /// </summary>
    KeyContextInvalid,

    /// <summary>The master key service refused the call for good (access denied, a key not usable for this, a bad request); retrying will not help.</summary>
    KeyServiceRefused,

    /// <summary>A stored key record (a user's wrapped keys, or a blob's rewrapped data key) is malformed or oversized.</summary>
    KeyRecordInvalid,
}
