using MusicLocker.Storage;

namespace MusicLocker.Crypto;

/// <summary>
/// The stored state of one user's key: its wrapped versions (by the master key) and which is current — or, once
/// destroyed, a tombstone with no key material that no writer can replace with a new key.
/// </summary>
public sealed class UserKeyRecord
{
    /// <summary>Creates a record.</summary>
    public UserKeyRecord(int currentVersion, IReadOnlyList<WrappedUserKey> versions, DateTimeOffset? destroyedAt = null)
    {
        ArgumentNullException.ThrowIfNull(versions);
        if (destroyedAt is null && !versions.Any(v => v.Version == currentVersion))
        {
            throw new ArgumentException($"The current version {currentVersion} is not among the record's versions.", nameof(currentVersion));
        }

        CurrentVersion = currentVersion;
        Versions = versions;
        DestroyedAt = destroyedAt;
    }

    /// <summary>The version new data keys are wrapped under.</summary>
    public int CurrentVersion { get; }

    /// <summary>The wrapped versions still kept (retired ones stay until purged, see <see cref="WrappedUserKey.RetiredAt"/>).</summary>
    public IReadOnlyList<WrappedUserKey> Versions { get; }

    /// <summary>When the key was destroyed, or <see langword="null"/> while it lives.</summary>
    public DateTimeOffset? DestroyedAt { get; }

    /// <summary>Whether the key was destroyed.</summary>
    public bool IsDestroyed => DestroyedAt is not null;

    /// <summary>A tombstone: no key material, only the time of destruction.</summary>
    public static UserKeyRecord Tombstone(DateTimeOffset destroyedAt) => new(0, [], destroyedAt);

    internal WrappedUserKey? Find(int version)
    {
        foreach (var v in Versions)
        {
            if (v.Version == version)
            {
                return v;
            }
        }

        return null;
    }
}

/// <summary>One version of a user key, wrapped by the master key.</summary>
/// <param name="Version">The version (1, 2, …).</param>
/// <param name="WrappedKey">The wrapped key, as the master-key provider returned it.</param>
/// <param name="CreatedAt">When the version was created.</param>
public sealed record WrappedUserKey(int Version, ReadOnlyMemory<byte> WrappedKey, DateTimeOffset CreatedAt)
{
    /// <summary>
    /// When a user-key rotation retired this version (no new data key is wrapped under it), or <see langword="null"/>
    /// while it may still be current. A retired version is kept, so that everything started under it still reads, until
    /// <see cref="EncryptedBlobStore.PurgeRetiredUserKeysAsync"/> removes it.
    /// </summary>
    public DateTimeOffset? RetiredAt { get; init; }
}

/// <summary>A user key record and the version tag it was read at (for a conditional replace).</summary>
/// <param name="Record">The record.</param>
/// <param name="ETag">Its version tag.</param>
public sealed record StoredUserKeyRecord(UserKeyRecord Record, ETag ETag);

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
