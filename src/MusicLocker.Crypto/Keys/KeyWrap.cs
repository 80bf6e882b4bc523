using System.Security.Cryptography;
using MusicLocker.Crypto.Format;

namespace MusicLocker.Crypto.Keys;

/// <summary>
/// AES key wrap with padding (RFC 5649, <see cref="Aes.EncryptKeyWrapPadded(ReadOnlySpan{byte})"/>) under a key-encryption
/// key derived for one purpose and context: KEK = HKDF-Expand-SHA-512(wrapping key, label ‖ 0x00 ‖ context, 32).
/// KWP has no associated data; deriving the KEK from the context is what binds a wrapped key to its owner and object.
/// </summary>
internal static class KeyWrap
{
    /// <summary>The length of a wrapped 32-byte key (RFC 5649: 8-byte integrity block plus the padded key).</summary>
    public const int WrappedKeySize = 40;

    public static byte[] Wrap(ReadOnlySpan<byte> wrappingKey, ReadOnlySpan<byte> label, ReadOnlySpan<byte> context, ReadOnlySpan<byte> key)
    {
        using var aes = CreateKek(wrappingKey, label, context);
        return aes.EncryptKeyWrapPadded(key);
    }

    public static bool TryUnwrap(ReadOnlySpan<byte> wrappingKey, ReadOnlySpan<byte> label, ReadOnlySpan<byte> context, ReadOnlySpan<byte> wrapped, out byte[] key)
    {
        using var aes = CreateKek(wrappingKey, label, context);
        try
        {
            key = aes.DecryptKeyWrapPadded(wrapped);
            return true;
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            // The RFC 5649 integrity check failed (modified, or wrapped for another context or key), or the length is not
            // a wrapped key's (.NET refuses those with ArgumentException). Callers raise a typed error.
            key = [];
            return false;
        }
    }

    private static Aes CreateKek(ReadOnlySpan<byte> wrappingKey, ReadOnlySpan<byte> label, ReadOnlySpan<byte> context)
    {
        Span<byte> kek = stackalloc byte[CiphertextLayout.KeySize];
        HkdfSha512.Expand(wrappingKey, kek, label, [0], context);
        var aes = Aes.Create();
        aes.SetKey(kek);
        CryptographicOperations.ZeroMemory(kek);
        return aes;
    }
}
