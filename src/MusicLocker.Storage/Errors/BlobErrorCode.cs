namespace MusicLocker.Storage;

/// <summary>What went wrong in a storage operation; every provider maps its errors to these.</summary>
public enum BlobErrorCode
{
    /// <summary>An error with no more specific code; see the message and inner exception.</summary>
    Unknown = 0,

    /// <summary>No blob has the key.</summary>
    BlobNotFound,

    /// <summary>The multipart upload does not exist (completed, aborted or swept).</summary>
    UploadNotFound,

    /// <summary>An ETag condition did not hold.</summary>
    ConditionFailed,

    /// <summary>The key breaks a key rule.</summary>
    InvalidKey,

    /// <summary>The range starts at or past the end of the blob.</summary>
    RangeNotSatisfiable,

    /// <summary>A multipart completion named a missing part, a wrong ETag, or parts out of order.</summary>
    InvalidPart,

    /// <summary>Metadata or another argument the store cannot hold.</summary>
    InvalidArgument,

    /// <summary>The store could not be reached or refused for now (timeouts, throttling, 5xx); retrying may succeed.</summary>
    Unavailable,

    /// <summary>The store refused the credentials or the operation.</summary>
    AccessDenied,

    /// <summary>
    /// The stored bytes failed an integrity check: a ciphertext, tag, header, wrapped key or key record was modified,
    /// truncated or moved (seen through <c>EncryptedBlobStore</c>). Not transient; the stored copy is damaged or forged.
    /// </summary>
    IntegrityCheckFailed,

    /// <summary>
    /// The owner's key was destroyed (crypto-shredding): the blob can never be read again. Not transient.
    /// </summary>
    KeyDestroyed,
}
