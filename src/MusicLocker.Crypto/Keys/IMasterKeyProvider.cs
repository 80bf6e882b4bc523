using System.Security.Cryptography;

namespace MusicLocker.Crypto;

/// <summary>
/// The top of the key hierarchy: a master key that wraps the per-user keys. Implementations: <see cref="LocalKeyRing"/>
/// (a key ring file) and the AWS KMS provider in <c>MusicLocker.Keys.AwsKms</c>. Implementations are thread-safe.
/// </summary>
public interface IMasterKeyProvider
{
    /// <summary>Generates a new random 256-bit key and returns it with its wrapped form, bound to <paramref name="context"/>.</summary>
    Task<GeneratedKey> GenerateKeyAsync(KeyContext context, CancellationToken cancellationToken = default);

    /// <summary>Unwraps a key wrapped by this provider for <paramref name="context"/>.</summary>
    /// <exception cref="EncryptionException"><see cref="EncryptionErrorCode.KeyUnwrapFailed"/> when the wrapped key was modified or belongs to another context; <see cref="EncryptionErrorCode.KeyNotFound"/> when its master key is gone.</exception>
    Task<byte[]> UnwrapKeyAsync(ReadOnlyMemory<byte> wrappedKey, KeyContext context, CancellationToken cancellationToken = default);

    /// <summary>Wraps the same key again under the provider's current master key (master-key rotation).</summary>
    Task<byte[]> RewrapKeyAsync(ReadOnlyMemory<byte> wrappedKey, KeyContext context, CancellationToken cancellationToken = default);
}

/// <summary>A freshly generated key: the plaintext (cleared on dispose) and its wrapped form.</summary>
public sealed class GeneratedKey : IDisposable
{
    /// <summary>Creates the result (for providers).</summary>
    public GeneratedKey(byte[] plaintext, byte[] wrappedKey)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        ArgumentNullException.ThrowIfNull(wrappedKey);
        Plaintext = plaintext;
        WrappedKey = wrappedKey;
    }

    /// <summary>The key. Zeroed when this is disposed.</summary>
    public byte[] Plaintext { get; }

    /// <summary>The wrapped key, safe to store.</summary>
    public byte[] WrappedKey { get; }

    /// <inheritdoc />
    public void Dispose() => CryptographicOperations.ZeroMemory(Plaintext);
}
