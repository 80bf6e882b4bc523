using MusicLocker.Storage;

namespace MusicLocker.Crypto;

/// <summary>Options of an <see cref="EncryptedBlobStore"/>.</summary>
public sealed class EncryptedBlobStoreOptions
{
    /// <summary>The owner of every blob in the store (a store per user), when <see cref="OwnerOf"/> is not set.</summary>
    public KeyOwner? Owner { get; init; }

    /// <summary>
    /// Maps a blob key to the user who owns it (for a store shared by users, e.g. keys <c>users/{id}/…</c>). The owner's
    /// ids and the blob key are bound into the ciphertext, so a blob moved to another key or user does not decrypt.
    /// </summary>
    public Func<BlobKey, KeyOwner>? OwnerOf { get; init; }

    /// <summary>
    /// The plaintext size of every multipart part but the last (5 MiB by default, S3's minimum). A multiple of 16 KiB, so
    /// each part is a whole number of chunks and its ciphertext depends only on its number and bytes: a retried part
    /// re-sends identical ciphertext. Fixed per upload when it starts.
    /// </summary>
    public int PartSize { get; init; } = BlobStoreLimits.MinPartSize;

    /// <summary>
    /// How long a multipart upload may take (7 days by default): parts and completion of an older upload are refused
    /// (its start time is authenticated in the upload id). A user key version retired by a rotation is kept this long
    /// plus one hour, so every upload started under it can still complete and read.
    /// </summary>
    public TimeSpan MaxUploadAge { get; init; } = TimeSpan.FromDays(7);

    /// <summary>The clock of upload ages and key retirement (the system clock by default).</summary>
    public TimeProvider? TimeProvider { get; init; }

    internal Func<BlobKey, KeyOwner> ResolveOwner()
    {
        if (OwnerOf is { } resolve)
        {
            return resolve;
        }

        if (Owner is { } owner)
        {
            return _ => owner;
        }

        throw new ArgumentException("Set EncryptedBlobStoreOptions.Owner (one user per store) or OwnerOf (owner from the blob key).");
    }
}

/// <summary>What a user-key rotation did.</summary>
/// <param name="NewVersion">The user key version now current.</param>
/// <param name="ObjectsRewrapped">Objects whose data key was rewrapped (a small record each; no object bytes were read or written).</param>
/// <param name="BytesWritten">Bytes written to the store for the rewrapped data keys.</param>
public readonly record struct UserKeyRotationResult(int NewVersion, int ObjectsRewrapped, long BytesWritten);

/// <summary>What a purge of retired user key versions did.</summary>
/// <param name="VersionsRemoved">Retired user key versions dropped.</param>
/// <param name="ObjectsRewrapped">Objects still under a retired version whose data key was rewrapped under the current one first.</param>
/// <param name="BytesWritten">Bytes written to the store for the rewrapped data keys.</param>
public readonly record struct UserKeyPurgeResult(int VersionsRemoved, int ObjectsRewrapped, long BytesWritten);
