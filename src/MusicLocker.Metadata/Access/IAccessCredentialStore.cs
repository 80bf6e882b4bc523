namespace MusicLocker.Metadata;

/// <summary>
/// Credentials players use instead of the account password: API keys (stored as a hash of the key) and one sealed
/// "app password" per user (stored as the caller sealed it; this store never sees it in the clear).
/// </summary>
public interface IAccessCredentialStore
{
    /// <summary>Stores a new API key's hash.</summary>
    /// <exception cref="MetadataArgumentException">The hash is not 32 bytes, or the label is empty or over <see cref="MetadataLimits.MaxNameLength"/> characters.</exception>
    /// <exception cref="MetadataNotFoundException">The user does not exist.</exception>
    /// <exception cref="MetadataConflictException">The id or the hash is already stored.</exception>
    Task<ApiKeyRecord> AddApiKeyAsync(string userId, Guid keyId, ReadOnlyMemory<byte> keyHash, string label, CancellationToken cancellationToken = default);

    /// <summary>The key with this hash, or <see langword="null"/> when none (a lookup during authentication, where "no" is the common answer).</summary>
    Task<ApiKeyRecord?> FindApiKeyAsync(ReadOnlyMemory<byte> keyHash, CancellationToken cancellationToken = default);

    /// <summary>The user's keys, oldest first.</summary>
    Task<IReadOnlyList<ApiKeyRecord>> ListApiKeysAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>Revokes a key of the user.</summary>
    /// <returns><see langword="false"/> when the user had no such key.</returns>
    Task<bool> RevokeApiKeyAsync(string userId, Guid keyId, CancellationToken cancellationToken = default);

    /// <summary>Stores (replacing any) the user's sealed app password.</summary>
    /// <exception cref="MetadataNotFoundException">The user does not exist.</exception>
    Task SetAppPasswordAsync(string userId, ReadOnlyMemory<byte> sealedPassword, CancellationToken cancellationToken = default);

    /// <summary>The user's sealed app password, or <see langword="null"/> when none is set.</summary>
    Task<byte[]?> GetAppPasswordAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>Removes the user's app password.</summary>
    /// <returns><see langword="false"/> when none was set.</returns>
    Task<bool> ClearAppPasswordAsync(string userId, CancellationToken cancellationToken = default);
}
