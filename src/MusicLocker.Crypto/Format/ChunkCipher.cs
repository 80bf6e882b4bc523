using System.Buffers.Binary;
using System.Security.Cryptography;

namespace MusicLocker.Crypto.Format;

/// <summary>
/// The per-message AEAD of C2SP chunked encryption (https://c2sp.org/chunked-encryption §Key derivation, §AEAD usage):
/// key ‖ base nonce ‖ commitment = HKDF-Expand-SHA-512(input key, "c2sp.org/chunked-encryption@v1+AEAD_AES_256_GCM" ‖ 0x00 ‖ salt ‖ context),
/// and chunk <c>i</c> is AES-256-GCM with nonce = base nonce XOR i (big-endian) and empty AAD.
/// Not thread-safe: one instance per stream.
/// </summary>
internal sealed class ChunkCipher : IDisposable
{
    private const int DerivedSize = CiphertextLayout.KeySize + CiphertextLayout.NonceSize + CiphertextLayout.CommitmentSize;

    private static ReadOnlySpan<byte> InfoLabel => "c2sp.org/chunked-encryption@v1+AEAD_AES_256_GCM\0"u8;

    private readonly AesGcm _aes;
    private readonly byte[] _baseNonce = new byte[CiphertextLayout.NonceSize];
    private readonly byte[] _nonce = new byte[CiphertextLayout.NonceSize];
    private readonly byte[] _commitment = new byte[CiphertextLayout.CommitmentSize];

    private ChunkCipher(ReadOnlySpan<byte> inputKey, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> context)
    {
        if (inputKey.Length != CiphertextLayout.KeySize)
        {
            throw new EncryptionException(EncryptionErrorCode.KeyUnwrapFailed, $"A data key is {CiphertextLayout.KeySize} bytes; this one is {inputKey.Length}.");
        }

        if (salt.Length != CiphertextLayout.SaltSize)
        {
            throw new ArgumentException($"The salt is {CiphertextLayout.SaltSize} bytes; this one is {salt.Length}.", nameof(salt));
        }

        Span<byte> derived = stackalloc byte[DerivedSize];
        HkdfSha512.Expand(inputKey, derived, InfoLabel, salt, context);
        _aes = new AesGcm(derived[..CiphertextLayout.KeySize], CiphertextLayout.TagSize);
        derived.Slice(CiphertextLayout.KeySize, CiphertextLayout.NonceSize).CopyTo(_baseNonce);
        derived[(CiphertextLayout.KeySize + CiphertextLayout.NonceSize)..].CopyTo(_commitment);
        CryptographicOperations.ZeroMemory(derived);
    }

    /// <summary>The key commitment the derivation produced (stored after the salt).</summary>
    public ReadOnlySpan<byte> Commitment => _commitment;

    /// <summary>Derives the cipher of one message.</summary>
    public static ChunkCipher Create(ReadOnlySpan<byte> inputKey, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> context) => new(inputKey, salt, context);

    /// <summary>Whether a stored commitment matches the derived one (constant time).</summary>
    public bool CommitmentMatches(ReadOnlySpan<byte> stored) => CryptographicOperations.FixedTimeEquals(stored, _commitment);

    /// <summary>Encrypts chunk <paramref name="index"/> into <paramref name="destination"/> (plaintext length + 16 bytes: ciphertext then tag).</summary>
    public void Encrypt(long index, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        SetNonce(index);
        _aes.Encrypt(_nonce, plaintext, destination[..plaintext.Length], destination.Slice(plaintext.Length, CiphertextLayout.TagSize));
    }

    /// <summary>Decrypts and authenticates chunk <paramref name="index"/>; <see langword="false"/> (and a cleared <paramref name="plaintext"/>) when its tag does not verify.</summary>
    public bool TryDecrypt(long index, ReadOnlySpan<byte> encrypted, Span<byte> plaintext)
    {
        int length = encrypted.Length - CiphertextLayout.TagSize;
        SetNonce(index);
        try
        {
            _aes.Decrypt(_nonce, encrypted[..length], encrypted[length..], plaintext[..length]);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            // AesGcm already cleared the output; the caller turns this into a typed error naming the chunk.
            return false;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _aes.Dispose();
        CryptographicOperations.ZeroMemory(_baseNonce);
    }

    private void SetNonce(long index)
    {
        if ((ulong)index >= CiphertextLayout.MaxChunkCount)
        {
            throw new EncryptionException(EncryptionErrorCode.CiphertextInvalid, $"Chunk {index} is past the C2SP limit of 2^38 chunks.");
        }

        // Only the low 38 bits can be set, so XOR-ing the big-endian counter touches the last 5 bytes; the first 4 bytes
        // of the 12-byte nonce never change.
        _baseNonce.CopyTo(_nonce, 0);
        ulong tail = BinaryPrimitives.ReadUInt64BigEndian(_baseNonce.AsSpan(4)) ^ (ulong)index;
        BinaryPrimitives.WriteUInt64BigEndian(_nonce.AsSpan(4), tail);
    }
}
