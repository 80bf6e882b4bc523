using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using MusicLocker.Crypto.Format;
using MusicLocker.Crypto.Keys;

namespace MusicLocker.Crypto;

/// <summary>
/// Seals a small secret (an app password) under a user key: AES-256-GCM, associated data
/// <c>"musiclocker.org/sealed-secret@v1" ‖ 0x00 ‖ purpose ‖ 0x00 ‖ tenant ‖ 0x00 ‖ user</c>, stored as
/// key version (4 bytes, big-endian) ‖ nonce (12) ‖ ciphertext ‖ tag (16). The label keeps sealed secrets and wrapped
/// data keys apart even under the same user key; the owner and purpose bind a sealed value to where it belongs.
/// </summary>
internal static class SecretSeal
{
    public const int Overhead = 4 + DataKeyWrap.NonceSize + CiphertextLayout.TagSize;

    public static byte[] Seal(UserKey key, KeyOwner owner, string purpose, ReadOnlySpan<byte> secret)
    {
        var sealedValue = new byte[Overhead + secret.Length];
        BinaryPrimitives.WriteInt32BigEndian(sealedValue, key.Version);
        var nonce = sealedValue.AsSpan(4, DataKeyWrap.NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var gcm = new AesGcm(key.Material, CiphertextLayout.TagSize);
        gcm.Encrypt(nonce, secret, sealedValue.AsSpan(4 + DataKeyWrap.NonceSize, secret.Length), sealedValue.AsSpan(sealedValue.Length - CiphertextLayout.TagSize), Aad(owner, purpose));
        return sealedValue;
    }

    public static bool TryReadVersion(ReadOnlySpan<byte> sealedValue, out int version)
    {
        version = sealedValue.Length >= Overhead ? BinaryPrimitives.ReadInt32BigEndian(sealedValue) : 0;
        return version > 0;
    }

    public static bool TryOpen(ReadOnlySpan<byte> keyMaterial, KeyOwner owner, string purpose, ReadOnlySpan<byte> sealedValue, out byte[] secret)
    {
        secret = new byte[sealedValue.Length - Overhead];
        try
        {
            using var gcm = new AesGcm(keyMaterial, CiphertextLayout.TagSize);
            gcm.Decrypt(sealedValue.Slice(4, DataKeyWrap.NonceSize), sealedValue.Slice(4 + DataKeyWrap.NonceSize, secret.Length), sealedValue[^CiphertextLayout.TagSize..], secret, Aad(owner, purpose));
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            // Modified, or sealed for another owner or purpose; the caller raises a typed error.
            secret = [];
            return false;
        }
    }

    private static byte[] Aad(KeyOwner owner, string purpose) =>
        Encoding.UTF8.GetBytes("musiclocker.org/sealed-secret@v1\0" + purpose + "\0" + owner.TenantId + "\0" + owner.UserId);
}
