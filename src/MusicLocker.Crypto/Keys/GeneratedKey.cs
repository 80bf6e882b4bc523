using System.Security.Cryptography;

namespace MusicLocker.Crypto;

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
