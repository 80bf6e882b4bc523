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
    /// The stored bytes fail an integrity check: an encrypted blob's header, tag or ciphertext was altered, or a store file
    /// is damaged (the file-system store's header). Retrying returns the same; restore the blob or delete it.
    /// </summary>
    IntegrityCheckFailed,

    /// <summary>The blob's owner key was destroyed (crypto-shredded): its bytes can never be read again. Delete the blob.</summary>
    KeyDestroyed,
}
