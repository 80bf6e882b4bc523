using System.Security.Cryptography;

namespace MusicLocker.Crypto.Format;

/// <summary>
/// HKDF-Expand with SHA-512 (RFC 5869 §2.3). .NET's <see cref="HKDF.Expand(HashAlgorithmName, ReadOnlySpan{byte}, Span{byte}, ReadOnlySpan{byte})"/>
/// refuses a PRK shorter than the hash (64 bytes), but C2SP chunked encryption expands a 32-byte input key directly.
/// </summary>
internal static class HkdfSha512
{
    private const int HashSize = 64;

    /// <summary>Fills <paramref name="output"/> (at most 255 × 64 bytes) with HKDF-Expand(prk, info parts concatenated).</summary>
    public static void Expand(ReadOnlySpan<byte> prk, Span<byte> output, ReadOnlySpan<byte> info1, ReadOnlySpan<byte> info2 = default, ReadOnlySpan<byte> info3 = default)
    {
        if (output.Length > 255 * HashSize)
        {
            throw new ArgumentOutOfRangeException(nameof(output), output.Length, "HKDF-Expand-SHA-512 yields at most 16320 bytes.");
        }

        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA512, prk);
        Span<byte> block = stackalloc byte[HashSize];
        Span<byte> counter = stackalloc byte[1];
        int written = 0;
        for (int i = 1; written < output.Length; i++)
        {
            if (i > 1)
            {
                hmac.AppendData(block);
            }

            hmac.AppendData(info1);
            hmac.AppendData(info2);
            hmac.AppendData(info3);
            counter[0] = (byte)i;
            hmac.AppendData(counter);
            hmac.GetHashAndReset(block);
            int n = Math.Min(HashSize, output.Length - written);
            block[..n].CopyTo(output[written..]);
            written += n;
        }

        CryptographicOperations.ZeroMemory(block);
    }
}
