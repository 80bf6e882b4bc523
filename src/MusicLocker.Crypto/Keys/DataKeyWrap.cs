using System.Buffers;
using System.Security.Cryptography;
using MusicLocker.Crypto.Format;

namespace MusicLocker.Crypto.Keys;

/// <summary>
/// Wraps an object's data key under its owner's user key: AES-256-GCM with a random 96-bit nonce and associated data
/// <c>"musiclocker.org/data-key@v1" ‖ 0x00 ‖ context</c>, stored as nonce ‖ ciphertext ‖ tag (60 bytes).
/// </summary>
/// <remarks>
/// Unwrapping runs on every object open, so it is one AES-GCM call rather than AES-KWP (RFC 5649 unwraps a 32-byte key
/// with 24 AES block operations, which .NET issues one by one) behind an HKDF-derived key. The context in the associated
/// data binds the wrapped key to its object and owner. Random nonces stay far from GCM's 2^32-messages-per-key bound:
/// a user key wraps one data key per object version, and user keys rotate.
/// </remarks>
internal static class DataKeyWrap
{
    public const int NonceSize = 12;
    public const int WrappedSize = NonceSize + CiphertextLayout.KeySize + CiphertextLayout.TagSize;

    private static ReadOnlySpan<byte> Label => "musiclocker.org/data-key@v1\0"u8;

    public static byte[] Wrap(ReadOnlySpan<byte> userKey, ReadOnlySpan<byte> context, ReadOnlySpan<byte> dataKey)
    {
        Span<byte> nonce = stackalloc byte[NonceSize];
        RandomNumberGenerator.Fill(nonce);
        return Wrap(userKey, context, dataKey, nonce);
    }

    /// <summary>Wraps with a given nonce (known-answer tests only; production wraps use a random one).</summary>
    public static byte[] Wrap(ReadOnlySpan<byte> userKey, ReadOnlySpan<byte> context, ReadOnlySpan<byte> dataKey, ReadOnlySpan<byte> nonce)
    {
        var wrapped = new byte[NonceSize + dataKey.Length + CiphertextLayout.TagSize];
        nonce.CopyTo(wrapped);
        byte[] aad = Aad(context, out int aadLength);
        try
        {
            using var gcm = new AesGcm(userKey, CiphertextLayout.TagSize);
            gcm.Encrypt(nonce, dataKey, wrapped.AsSpan(NonceSize, dataKey.Length), wrapped.AsSpan(NonceSize + dataKey.Length), aad.AsSpan(0, aadLength));
            return wrapped;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(aad);
        }
    }

    public static bool TryUnwrap(ReadOnlySpan<byte> userKey, ReadOnlySpan<byte> context, ReadOnlySpan<byte> wrapped, out byte[] dataKey)
    {
        if (wrapped.Length != WrappedSize)
        {
            dataKey = [];
            return false;
        }

        var key = new byte[CiphertextLayout.KeySize];
        byte[] aad = Aad(context, out int aadLength);
        try
        {
            using var gcm = new AesGcm(userKey, CiphertextLayout.TagSize);
            gcm.Decrypt(wrapped[..NonceSize], wrapped.Slice(NonceSize, key.Length), wrapped[(NonceSize + key.Length)..], key, aad.AsSpan(0, aadLength));
            dataKey = key;
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            // Modified, or wrapped for another object, user or user key; the caller raises a typed error naming the blob.
            dataKey = [];
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(aad);
        }
    }

    private static byte[] Aad(ReadOnlySpan<byte> context, out int length)
    {
        length = Label.Length + context.Length;
        var aad = ArrayPool<byte>.Shared.Rent(length);
        Label.CopyTo(aad);
        context.CopyTo(aad.AsSpan(Label.Length));
        return aad;
    }
}
