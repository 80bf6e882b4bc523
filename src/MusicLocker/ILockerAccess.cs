using MusicLocker.Metadata;

namespace MusicLocker;

/// <summary>
/// Credentials a user gives players instead of the account password (which the locker never sees): API keys, stored as
/// SHA-256 hashes and shown once; and one "app password" for players that only know the legacy Subsonic token scheme
/// (which needs the password back), sealed under the user's key — set it to something other than the account password.
/// </summary>
public interface ILockerAccess
{
    /// <summary>Issues an API key; its secret is in the result only (it cannot be read back).</summary>
    /// <exception cref="LockerException"><see cref="LockerErrorCode.InvalidArgument"/>: the label is empty or over 500 characters.</exception>
    Task<IssuedApiKey> IssueApiKeyAsync(string label, CancellationToken cancellationToken = default);

    /// <summary>The user's API keys (without secrets), oldest first.</summary>
    Task<IReadOnlyList<ApiKeyRecord>> ListApiKeysAsync(CancellationToken cancellationToken = default);

    /// <summary>Revokes an API key: requests with it fail from then on.</summary>
    /// <returns><see langword="false"/> when the user had no such key.</returns>
    Task<bool> RevokeApiKeyAsync(Guid keyId, CancellationToken cancellationToken = default);

    /// <summary>Sets (replacing any) the app password, sealed under the user's key.</summary>
    /// <exception cref="LockerException">
    /// <see cref="LockerErrorCode.InvalidArgument"/>: shorter than <see cref="MinAppPasswordLength"/> or longer than 256 characters,
    /// or the locker is not encrypted (there is no user key to seal it under).
    /// </exception>
    Task SetAppPasswordAsync(string password, CancellationToken cancellationToken = default);

    /// <summary>Removes the app password: password and token authentication fail from then on.</summary>
    /// <returns><see langword="false"/> when none was set.</returns>
    Task<bool> ClearAppPasswordAsync(CancellationToken cancellationToken = default);

    /// <summary>Whether <paramref name="password"/> is the app password (constant-time; false when none is set).</summary>
    Task<bool> VerifyAppPasswordAsync(string password, CancellationToken cancellationToken = default);

    /// <summary>
    /// Whether <paramref name="token"/> is the lower-case hex MD5 of the app password followed by <paramref name="salt"/>
    /// (the Subsonic token scheme; constant-time; false when none is set).
    /// </summary>
    Task<bool> VerifyAppPasswordTokenAsync(string salt, string token, CancellationToken cancellationToken = default);

    /// <summary>The shortest app password accepted.</summary>
    const int MinAppPasswordLength = 8;
}

/// <summary>A newly issued API key.</summary>
/// <param name="Key">The key's record (id, label, time).</param>
/// <param name="Secret">The key itself: give it to the player now; only its hash is kept.</param>
public sealed record IssuedApiKey(ApiKeyRecord Key, string Secret);
