using System.Buffers.Binary;
using System.Text;

namespace MusicLocker.Crypto.Format;

/// <summary>
/// Our own 8-byte prefix in front of the C2SP message: magic <c>MLCE</c>, format version, suite, two reserved zero bytes.
/// The prefix is the first part of the C2SP context, so changing any bit of it changes the derived keys and commitment.
/// </summary>
internal static class FormatPrefix
{
    public const int Size = 8;

    /// <summary>Format version 1.</summary>
    public const byte Version1 = 1;

    /// <summary>Suite 1: Cobblestone-256 (AES-256-GCM chunks of 16 KiB, HKDF-Expand-SHA-512).</summary>
    public const byte SuiteCobblestone256 = 1;

    private static ReadOnlySpan<byte> Magic => "MLCE"u8;

    /// <summary>Writes the version-1 prefix.</summary>
    public static void Write(Span<byte> destination)
    {
        Magic.CopyTo(destination);
        destination[4] = Version1;
        destination[5] = SuiteCobblestone256;
        destination[6] = 0;
        destination[7] = 0;
    }

    /// <summary>Checks a prefix; returns <see langword="null"/> when it is a known one, else what is wrong with it.</summary>
    public static string? Validate(ReadOnlySpan<byte> prefix)
    {
        if (prefix.Length < Size)
        {
            return $"the ciphertext is {prefix.Length} bytes, shorter than the {Size}-byte prefix";
        }

        if (!prefix[..4].SequenceEqual(Magic))
        {
            return "the ciphertext does not start with the magic 'MLCE'";
        }

        if (prefix[4] != Version1)
        {
            return $"format version {prefix[4]} is not supported (this library reads version {Version1})";
        }

        if (prefix[5] != SuiteCobblestone256)
        {
            return $"suite {prefix[5]} is not supported (this library reads suite {SuiteCobblestone256}, Cobblestone-256)";
        }

        if (prefix[6] != 0 || prefix[7] != 0)
        {
            return "the reserved prefix bytes 6-7 are not zero";
        }

        return null;
    }

    /// <summary>
    /// The C2SP context of an object: the prefix, then tenant id, user id and object id, each as a big-endian uint16
    /// length and UTF-8 bytes. Binding them means a ciphertext moved to another object or user fails the commitment.
    /// </summary>
    public static byte[] ObjectContext(ReadOnlySpan<byte> prefix, KeyOwner owner, string objectId)
    {
        int length = Size + 6 + Encoding.UTF8.GetByteCount(owner.TenantId) + Encoding.UTF8.GetByteCount(owner.UserId) + Encoding.UTF8.GetByteCount(objectId);
        var context = new byte[length];
        prefix[..Size].CopyTo(context);
        int at = Size;
        at += WriteField(context.AsSpan(at), owner.TenantId);
        at += WriteField(context.AsSpan(at), owner.UserId);
        WriteField(context.AsSpan(at), objectId);
        return context;
    }

    private static int WriteField(Span<byte> destination, string value)
    {
        int n = Encoding.UTF8.GetBytes(value, destination[2..]);
        if (n > ushort.MaxValue)
        {
            throw new ArgumentException($"An id of {n} UTF-8 bytes is longer than the format's 65535.", nameof(value));
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)n);
        return 2 + n;
    }
}
