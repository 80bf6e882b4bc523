using Microsoft.Extensions.Logging;
using MusicLocker.Storage;

namespace MusicLocker.Crypto;

/// <summary>
/// Options of an <see cref="EncryptedBlobStore"/>. The store copies and checks them when it is created; later changes
/// to this object have no effect on it.
/// </summary>
public sealed class EncryptedBlobStoreOptions
{
    /// <summary>The owner of every blob in the store (a store per user), when <see cref="OwnerOf"/> is not set.</summary>
    public KeyOwner? Owner { get; set; }

    /// <summary>
    /// Maps a blob key to the user who owns it (for a store shared by users, e.g. keys <c>users/{id}/…</c>). The owner's
    /// ids and the blob key are bound into the ciphertext, so a blob moved to another key or user does not decrypt.
    /// Whatever it throws for a key it cannot map (an index past the segments, an invalid id) reaches the caller as an
    /// <see cref="EncryptionException"/> with <see cref="EncryptionErrorCode.KeyContextInvalid"/>.
    /// </summary>
    public Func<BlobKey, KeyOwner>? OwnerOf { get; set; }

    /// <summary>
    /// The plaintext size of every multipart part but the last (5 MiB by default, S3's minimum). A multiple of 16 KiB, so
    /// each part is a whole number of chunks and its ciphertext depends only on its number and bytes: a retried part
    /// re-sends identical ciphertext. Fixed per upload when it starts.
    /// </summary>
    public int PartSize { get; set; } = BlobStoreLimits.MinPartSize;

    /// <summary>
    /// How long a multipart upload may take (7 days by default): parts and completion of an older upload are refused
    /// (its start time is authenticated in the upload id). A user key version retired by a rotation is kept this long
    /// plus one hour, so every upload started under it can still complete and read.
    /// </summary>
    public TimeSpan MaxUploadAge { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The clock of upload ages and key retirement (the system clock by default).</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Where the store logs rotations, purges and refused requests (nothing is logged by default). Key material is never logged.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }
}
