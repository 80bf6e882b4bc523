namespace MusicLocker.Library;

/// <summary>Wrapped per-user keys (the crypto layer's key hierarchy). Deleting them is crypto-shredding.</summary>
public interface IUserKeyStore
{
    /// <summary>Stores a new wrapped key.</summary>
    /// <exception cref="MetadataConflictException">The user has a key with this id already.</exception>
    /// <exception cref="MetadataNotFoundException">The user does not exist.</exception>
    Task<UserKeyRecord> AddAsync(string userId, string keyId, ReadOnlyMemory<byte> wrappedKey, string masterKeyId, CancellationToken cancellationToken = default);

    /// <summary>One key of the user.</summary>
    /// <exception cref="MetadataNotFoundException">The user has no such key.</exception>
    Task<UserKeyRecord> GetAsync(string userId, string keyId, CancellationToken cancellationToken = default);

    /// <summary>The user's keys, oldest first.</summary>
    Task<IReadOnlyList<UserKeyRecord>> ListAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>Keys of any user wrapped by <paramref name="masterKeyId"/> (to rewrap them after a master key rotation).</summary>
    Task<IReadOnlyList<UserKeyRecord>> ListWrappedByAsync(string masterKeyId, int limit = 100, CancellationToken cancellationToken = default);

    /// <summary>Replaces a key's wrapping if it is still wrapped by <paramref name="expectedMasterKeyId"/>.</summary>
    /// <exception cref="MetadataConflictException">It was rewrapped by someone else first.</exception>
    /// <exception cref="MetadataNotFoundException">The user has no such key.</exception>
    Task<UserKeyRecord> RewrapAsync(string userId, string keyId, ReadOnlyMemory<byte> wrappedKey, string masterKeyId, string expectedMasterKeyId, CancellationToken cancellationToken = default);

    /// <summary>Deletes every key of the user (crypto-shredding: their objects become unreadable).</summary>
    /// <returns>The keys deleted.</returns>
    Task<int> DeleteAllAsync(string userId, CancellationToken cancellationToken = default);
}
