using MusicLocker.Storage;

namespace MusicLocker.Crypto;

/// <summary>
/// Where wrapped user keys live. Writes are conditional so that a destroyed key can never be brought back by a racing
/// writer: creation is create-only and replacement names the version it replaces.
/// </summary>
public interface IUserKeyStore
{
    /// <summary>Reads a user's record.</summary>
    /// <exception cref="EncryptionException"><see cref="EncryptionErrorCode.KeyNotFound"/> when the user has none yet.</exception>
    Task<StoredUserKeyRecord> ReadAsync(KeyOwner owner, CancellationToken cancellationToken = default);

    /// <summary>Creates a user's record, only if none exists.</summary>
    /// <exception cref="EncryptionException"><see cref="EncryptionErrorCode.ConcurrentUpdate"/> when a record exists.</exception>
    Task<ETag> CreateAsync(KeyOwner owner, UserKeyRecord record, CancellationToken cancellationToken = default);

    /// <summary>Replaces a user's record, only if it is still at <paramref name="ifMatch"/>.</summary>
    /// <exception cref="EncryptionException"><see cref="EncryptionErrorCode.ConcurrentUpdate"/> when it changed or vanished.</exception>
    Task<ETag> ReplaceAsync(KeyOwner owner, UserKeyRecord record, ETag ifMatch, CancellationToken cancellationToken = default);

    /// <summary>Lists every user with a record (destroyed ones included).</summary>
    IAsyncEnumerable<KeyOwner> ListOwnersAsync(CancellationToken cancellationToken = default);
}
