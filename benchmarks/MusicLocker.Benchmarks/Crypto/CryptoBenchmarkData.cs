using System.Buffers.Binary;
using System.Security.Cryptography;
using MusicLocker.Crypto;
using MusicLocker.Crypto.Format;
using MusicLocker.Storage;
using MusicLocker.Storage.InMemory;

namespace MusicLocker.Benchmarks.Crypto;

/// <summary>Shared inputs: 100 MB of plaintext, a data key and context, and the raw AES-GCM baseline loops.</summary>
internal static class CryptoBenchmarkData
{
    public const int Size = 100 * 1000 * 1000;
    public const int Chunk = CiphertextLayout.ChunkSize;

    public static readonly byte[] DataKey = RandomNumberGenerator.GetBytes(32);
    public static readonly byte[] Salt = RandomNumberGenerator.GetBytes(CiphertextLayout.SaltSize);
    public static readonly byte[] Context = "MLCE-benchmark-context"u8.ToArray();

    public static byte[] Plaintext() => RandomNumberGenerator.GetBytes(Size);

    /// <summary>The C2SP header (salt ‖ commitment) for <see cref="DataKey"/>, <see cref="Salt"/>, <see cref="Context"/>.</summary>
    public static byte[] Header()
    {
        using var cipher = ChunkCipher.Create(DataKey, Salt, Context);
        return [.. Salt, .. cipher.Commitment];
    }

    /// <summary>Raw AES-256-GCM over the bytes in 16 KiB calls, each with its own counter nonce: the baseline.</summary>
    public static void RawEncrypt(AesGcm aes, ReadOnlySpan<byte> plaintext, Span<byte> output)
    {
        Span<byte> nonce = stackalloc byte[12];
        int at = 0;
        for (int offset = 0, i = 0; offset < plaintext.Length; offset += Chunk, i++)
        {
            int n = Math.Min(Chunk, plaintext.Length - offset);
            BinaryPrimitives.WriteInt32BigEndian(nonce[8..], i);
            aes.Encrypt(nonce, plaintext.Slice(offset, n), output.Slice(at, n), output.Slice(at + n, 16));
            at += n + 16;
        }
    }

    /// <summary>The inverse of <see cref="RawEncrypt"/>.</summary>
    public static int RawDecrypt(AesGcm aes, ReadOnlySpan<byte> ciphertext, Span<byte> output, int firstChunk = 0)
    {
        Span<byte> nonce = stackalloc byte[12];
        int written = 0;
        for (int offset = 0, i = 0; offset < ciphertext.Length; offset += EncryptedChunk, i++)
        {
            int n = Math.Min(Chunk, ciphertext.Length - offset - 16);
            BinaryPrimitives.WriteInt32BigEndian(nonce[8..], firstChunk + i);
            aes.Decrypt(nonce, ciphertext.Slice(offset, n), ciphertext.Slice(offset + n, 16), output.Slice(written, n));
            written += n;
        }

        return written;
    }

    /// <summary>
    /// The raw baseline of a seek: decrypts a random <paramref name="output"/>.Length bytes (whole chunks) of <paramref name="whole"/>,
    /// a <see cref="RawEncrypt"/> ciphertext of <see cref="Size"/> bytes, so the bytes are not in the CPU cache.
    /// </summary>
    public static int RawDecryptRandomRange(AesGcm aes, byte[] whole, Span<byte> output, Random random)
    {
        int chunks = output.Length / Chunk;
        int first = RandomFirstChunk(random, chunks);
        return RawDecrypt(aes, whole.AsSpan(first * EncryptedChunk, chunks * EncryptedChunk), output, first);
    }

    /// <summary>A <see cref="RawEncrypt"/> chunk's stored length: its plaintext and its tag.</summary>
    public const int EncryptedChunk = Chunk + 16;

    /// <summary>The first of <paramref name="chunks"/> consecutive chunks at a random place in a <see cref="Size"/>-byte message.</summary>
    public static int RandomFirstChunk(Random random, int chunks) => random.Next((Size / Chunk) - chunks);

    public static int RawCiphertextLength(int plaintextLength) => plaintextLength + (((plaintextLength + Chunk - 1) / Chunk) * 16);

    /// <summary>An encrypted store over the in-memory store, for one user, with a key ring in a temp file.</summary>
    public static async Task<(EncryptedBlobStore Store, LocalKeyRing Ring, string Folder)> CreateStoreAsync()
    {
        string folder = Path.Combine(Path.GetTempPath(), "musiclocker-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var ring = await LocalKeyRing.CreateAsync(Path.Combine(folder, "ring.json"));
        var inner = new InMemoryBlobStore();
        var keys = new UserKeyManager(ring, new BlobUserKeyStore(inner));
        var store = new EncryptedBlobStore(inner, keys, new EncryptedBlobStoreOptions { Owner = new KeyOwner("bench", "ann") });
        return (store, ring, folder);
    }
}
