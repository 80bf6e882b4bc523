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
