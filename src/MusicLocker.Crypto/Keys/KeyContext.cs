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
    /// <summary>The context of version <paramref name="version"/> of <paramref name="owner"/>'s user key.</summary>
    public static KeyContext ForUserKey(KeyOwner owner, int version) =>
        new(owner.TenantId, owner.UserId, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"user-key/{version}"));

    /// <summary>The context as bytes: each field a big-endian uint16 length and UTF-8 text, so no two contexts share bytes.</summary>
    internal byte[] ToBytes()
    {
        string tenant = TenantId ?? string.Empty;
        string user = UserId ?? string.Empty;
        string obj = ObjectId ?? string.Empty;
        var bytes = new byte[6 + Encoding.UTF8.GetByteCount(tenant) + Encoding.UTF8.GetByteCount(user) + Encoding.UTF8.GetByteCount(obj)];
        int at = 0;
        foreach (var field in (ReadOnlySpan<string>)[tenant, user, obj])
        {
            int n = Encoding.UTF8.GetBytes(field, bytes.AsSpan(at + 2));
            BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(at), checked((ushort)n));
            at += 2 + n;
        }

        return bytes;
    }
}
