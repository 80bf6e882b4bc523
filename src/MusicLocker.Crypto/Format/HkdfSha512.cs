using System.Buffers;
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

        // T(i) = HMAC(PRK, T(i-1) ‖ info ‖ i), each block one one-shot HMAC over a buffer laid out once: one-shot calls
        // cost far less than an incremental HMAC object on every open.
        int infoLength = info1.Length + info2.Length + info3.Length;
        byte[] input = ArrayPool<byte>.Shared.Rent(HashSize + infoLength + 1);
        Span<byte> block = stackalloc byte[HashSize];
        try
        {
            var infoSpan = input.AsSpan(HashSize, infoLength);
            info1.CopyTo(infoSpan);
            info2.CopyTo(infoSpan[info1.Length..]);
            info3.CopyTo(infoSpan[(info1.Length + info2.Length)..]);
            int written = 0;
            for (int i = 1; written < output.Length; i++)
            {
                input[HashSize + infoLength] = (byte)i;
                var message = i == 1 ? input.AsSpan(HashSize, infoLength + 1) : input.AsSpan(0, HashSize + infoLength + 1);
                HMACSHA512.HashData(prk, message, block);
                int n = Math.Min(HashSize, output.Length - written);
                block[..n].CopyTo(output[written..]);
                block.CopyTo(input);
                written += n;
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(block);
            ArrayPool<byte>.Shared.Return(input, clearArray: true);
        }
    }
}
