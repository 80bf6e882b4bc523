using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using MusicLocker.Metadata;

namespace MusicLocker.Internal;

/// <summary>
/// API keys: "mlk_" and 32 random bytes (base64url), stored as the SHA-256 of the key text; a key this random needs no slow
/// hash, and the lookup is by hash, so no stored value is ever compared with the secret. App passwords are sealed under
/// the user's key (<see cref="Crypto.UserKeyManager.SealAsync"/>) and compared in constant time.
/// </summary>
internal sealed class UserAccess(LockerCore core, string userId) : ILockerAccess
{
    internal const string ApiKeyPrefix = "mlk_";
    private const string AppPasswordPurpose = "subsonic-app-password";
    private const int MaxAppPasswordLength = 256;

    private IAccessCredentialStore Store => core.Metadata.Credentials;

    public Task<IssuedApiKey> IssueApiKeyAsync(string label, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(label);
        return LockerErrors.Guard(async () =>
        {
            await core.Metadata.Users.EnsureAsync(userId, cancellationToken: cancellationToken).ConfigureAwait(false);
            Span<byte> secret = stackalloc byte[32];
            RandomNumberGenerator.Fill(secret);
            string key = ApiKeyPrefix + Base64Url.EncodeToString(secret);
            CryptographicOperations.ZeroMemory(secret);
            var record = await Store.AddApiKeyAsync(userId, Guid.NewGuid(), HashApiKey(key), label, cancellationToken).ConfigureAwait(false);
            return new IssuedApiKey(record, key);
        });
    }

    public Task<IReadOnlyList<ApiKeyRecord>> ListApiKeysAsync(CancellationToken cancellationToken = default) =>
        LockerErrors.Guard(() => Store.ListApiKeysAsync(userId, cancellationToken));

    public Task<bool> RevokeApiKeyAsync(Guid keyId, CancellationToken cancellationToken = default) =>
        LockerErrors.Guard(() => Store.RevokeApiKeyAsync(userId, keyId, cancellationToken));

    public Task SetAppPasswordAsync(string password, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (password.Length is < ILockerAccess.MinAppPasswordLength or > MaxAppPasswordLength)
        {
            LockerErrors.ThrowInvalidArgument(nameof(password), $"An app password is {ILockerAccess.MinAppPasswordLength} to {MaxAppPasswordLength} characters (got {password.Length}).");
        }

        var keys = core.Keys ?? throw new LockerException(LockerErrorCode.InvalidArgument,
            "password: app passwords are sealed under the user's key, and this locker is not encrypted (MusicLocker:Encrypt is off); use API keys.");
        return LockerErrors.Guard(async () =>
        {
            await core.Metadata.Users.EnsureAsync(userId, cancellationToken: cancellationToken).ConfigureAwait(false);
            byte[] plain = Encoding.UTF8.GetBytes(password);
            try
            {
                byte[] sealedValue = await keys.SealAsync(core.OwnerOf(userId), AppPasswordPurpose, plain, cancellationToken).ConfigureAwait(false);
                await Store.SetAppPasswordAsync(userId, sealedValue, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(plain);
            }
        });
    }

    public Task<bool> ClearAppPasswordAsync(CancellationToken cancellationToken = default) =>
        LockerErrors.Guard(() => Store.ClearAppPasswordAsync(userId, cancellationToken));

    public Task<bool> VerifyAppPasswordAsync(string password, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(password);
        return WithAppPasswordAsync(stored =>
        {
            byte[] given = Encoding.UTF8.GetBytes(password);
            return CryptographicOperations.FixedTimeEquals(SHA256.HashData(given), SHA256.HashData(stored));
        }, cancellationToken);
    }

    public Task<bool> VerifyAppPasswordTokenAsync(string salt, string token, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(salt);
        ArgumentNullException.ThrowIfNull(token);
        return WithAppPasswordAsync(stored =>
        {
            byte[] input = new byte[stored.Length + Encoding.UTF8.GetByteCount(salt)];
            stored.CopyTo(input, 0);
            Encoding.UTF8.GetBytes(salt, input.AsSpan(stored.Length));
#pragma warning disable CA5351 // The Subsonic token scheme is MD5 by definition; it is offered only when the app enables it.
            byte[] expected = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(MD5.HashData(input)));
#pragma warning restore CA5351
            CryptographicOperations.ZeroMemory(input);
            byte[] given = Encoding.ASCII.GetBytes(token.ToLowerInvariant());
            return given.Length == expected.Length && CryptographicOperations.FixedTimeEquals(given, expected);
        }, cancellationToken);
    }

    internal static byte[] HashApiKey(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    private Task<bool> WithAppPasswordAsync(Func<byte[], bool> check, CancellationToken cancellationToken) =>
        LockerErrors.Guard(async () =>
        {
            if (core.Keys is not { } keys || await Store.GetAppPasswordAsync(userId, cancellationToken).ConfigureAwait(false) is not { } sealedValue)
            {
                return false;
            }

            byte[] plain = await keys.UnsealAsync(core.OwnerOf(userId), AppPasswordPurpose, sealedValue, cancellationToken).ConfigureAwait(false);
            try
            {
                return check(plain);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(plain);
            }
        });
}
