using System.Buffers.Binary;
using System.Text;

namespace MusicLocker.Crypto;

/// <summary>
/// What a wrapped key belongs to: tenant, user and object (for a user key the object is <c>user-key/&lt;version&gt;</c>).
/// Providers bind it into the wrap (an AWS KMS encryption context, a derived key-encryption key), so a wrapped key
/// copied to another user or object does not unwrap.
/// </summary>
/// <param name="TenantId">The tenant id (may be empty).</param>
/// <param name="UserId">The user id.</param>
/// <param name="ObjectId">The object the key protects.</param>
public readonly record struct KeyContext(string TenantId, string UserId, string ObjectId)
{
    /// <summary>The longest field, in UTF-8 bytes (each is stored behind a 16-bit length).</summary>
    internal const int MaxFieldBytes = ushort.MaxValue;

    /// <summary>The context of version <paramref name="version"/> of <paramref name="owner"/>'s user key.</summary>
    public static KeyContext ForUserKey(KeyOwner owner, int version) =>
        new(owner.TenantId, owner.UserId, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"user-key/{version}"));

    /// <summary>The context for messages: each field quoted and cut to a bounded length (a context can be 190 KB).</summary>
    public override string ToString() =>
        $"KeyContext {{ TenantId = {EncryptionErrors.Quote(TenantId)}, UserId = {EncryptionErrors.Quote(UserId)}, ObjectId = {EncryptionErrors.Quote(ObjectId)} }}";

    /// <summary>The context as bytes: each field a big-endian uint16 length and UTF-8 text, so no two contexts share bytes.</summary>
    /// <exception cref="EncryptionException"><see cref="EncryptionErrorCode.KeyContextInvalid"/>: a field is over 65,535 UTF-8 bytes or holds an unpaired surrogate.</exception>
    internal byte[] ToBytes()
    {
        string tenant = TenantId ?? string.Empty;
        string user = UserId ?? string.Empty;
        string obj = ObjectId ?? string.Empty;
        var strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        int total = 6;
        foreach (var field in (ReadOnlySpan<string>)[tenant, user, obj])
        {
            int n;
            try
            {
                n = strict.GetByteCount(field);
            }
            catch (EncoderFallbackException ex)
            {
                throw new EncryptionException(EncryptionErrorCode.KeyContextInvalid, $"{this} has a field with an unpaired surrogate; two such fields would share one context.", null, ex);
            }

            if (n > MaxFieldBytes)
            {
                throw new EncryptionException(EncryptionErrorCode.KeyContextInvalid, $"{this} has a field of {n} UTF-8 bytes; at most {MaxFieldBytes} are allowed.");
            }

            total += n;
        }

        var bytes = new byte[total];
        int at = 0;
        foreach (var field in (ReadOnlySpan<string>)[tenant, user, obj])
        {
            int n = strict.GetBytes(field, bytes.AsSpan(at + 2));
            BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(at), (ushort)n);
            at += 2 + n;
        }

        return bytes;
    }
}
