using System.IO.Compression;
using System.Security.Cryptography;
using MusicLocker.Crypto.Format;

namespace MusicLocker.Crypto.Tests;

/// <summary>
/// Every Wycheproof vector of the primitives the format stands on. Groups .NET's APIs cannot express are skipped by a
/// rule written here (AesGcm takes only 12-byte nonces), never by test id.
/// </summary>
public sealed class WycheproofTests
{
    private const string Gcm = "aes_gcm_test.json";
    private const string Kwp = "aes_kwp_test.json";
    private const string Hkdf256 = "hkdf_sha256_test.json";
    private const string Hkdf512 = "hkdf_sha512_test.json";
    private const string Chunked = "c2sp_chunked_encryption_aes_256_gcm_test.json";

    public static TheoryData<int> GcmIds => Wycheproof.Ids(Gcm);

    public static TheoryData<int> KwpIds => Wycheproof.Ids(Kwp);

    public static TheoryData<int> Hkdf256Ids => Wycheproof.Ids(Hkdf256);

    public static TheoryData<int> Hkdf512Ids => Wycheproof.Ids(Hkdf512);

    public static TheoryData<int> ChunkedIds => Wycheproof.Ids(Chunked);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(GcmIds))]
    public void Aes_gcm(int id)
    {
        var v = Wycheproof.Load(Gcm)[id];
        int ivBits = v.GroupInt("ivSize");
        int tagBytes = v.GroupInt("tagSize") / 8;
        if (ivBits != AesGcm.NonceByteSizes.MaxSize * 8 || tagBytes < AesGcm.TagByteSizes.MinSize || tagBytes > AesGcm.TagByteSizes.MaxSize)
        {
            Assert.Skip($"AesGcm takes {AesGcm.NonceByteSizes.MaxSize}-byte nonces only; this group has {ivBits}-bit IVs and {tagBytes}-byte tags.");
        }

        byte[] key = v.Hex("key"), iv = v.Hex("iv"), aad = v.Hex("aad"), msg = v.Hex("msg"), ct = v.Hex("ct"), tag = v.Hex("tag");
        using var aes = new AesGcm(key, tagBytes);
        var plain = new byte[ct.Length];
        if (v.Result == "valid")
        {
            var encrypted = new byte[msg.Length];
            var computedTag = new byte[tagBytes];
            aes.Encrypt(iv, msg, encrypted, computedTag, aad);
            Assert.Equal(ct, encrypted);
            Assert.Equal(tag, computedTag);
            aes.Decrypt(iv, ct, tag, plain, aad);
            Assert.Equal(msg, plain);
        }
        else
        {
            Assert.ThrowsAny<CryptographicException>(() => aes.Decrypt(iv, ct, tag, plain, aad));
            Assert.All(plain, b => Assert.Equal(0, b));
        }
    }

    [Theory]
    [MemberData(nameof(KwpIds))]
    public void Aes_key_wrap_with_padding(int id)
    {
        var v = Wycheproof.Load(Kwp)[id];
        using var aes = Aes.Create();
        aes.Key = v.Hex("key");
        byte[] msg = v.Hex("msg"), ct = v.Hex("ct");
        switch (v.Result)
        {
            case "valid":
                Assert.Equal(ct, aes.EncryptKeyWrapPadded(msg));
                Assert.Equal(msg, aes.DecryptKeyWrapPadded(ct));
                break;
            case "invalid":
                // .NET refuses a wrapped key shorter than 16 bytes with ArgumentException before any cryptography.
                var ex = Assert.ThrowsAny<Exception>(() => aes.DecryptKeyWrapPadded(ct));
                Assert.True(ex is CryptographicException || (ex is ArgumentException && ct.Length < 16), ex.ToString());
                break;
            default:
                // "acceptable": an implementation may refuse it; if it unwraps, it must give the message.
                try
                {
                    Assert.Equal(msg, aes.DecryptKeyWrapPadded(ct));
                }
                catch (CryptographicException)
                {
                }

                break;
        }
    }

    [Theory]
    [MemberData(nameof(Hkdf256Ids))]
    public void Hkdf_sha256(int id) => CheckHkdf(Wycheproof.Load(Hkdf256)[id], HashAlgorithmName.SHA256);

    [Theory]
    [MemberData(nameof(Hkdf512Ids))]
    public void Hkdf_sha512(int id)
    {
        var v = Wycheproof.Load(Hkdf512)[id];
        CheckHkdf(v, HashAlgorithmName.SHA512);

        // Our own HKDF-Expand (the one C2SP derivation uses) must agree with .NET's on the same PRK.
        if (v.Result == "valid")
        {
            var prk = HKDF.Extract(HashAlgorithmName.SHA512, v.Hex("ikm"), v.Hex("salt"));
            var okm = new byte[v.Int("size")];
            HkdfSha512.Expand(prk, okm, v.Hex("info"));
            Assert.Equal(v.Hex("okm"), okm);
        }
        else
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => HkdfSha512.Expand(new byte[64], new byte[v.Int("size")], v.Hex("info")));
        }
    }

    [Theory]
    [MemberData(nameof(ChunkedIds))]
    public async Task C2sp_chunked_encryption_streaming(int id)
    {
        var v = Wycheproof.Load(Chunked)[id];
        var source = new RecordingStream(CiphertextOf(v));
        byte[] key = v.Hex("key"), context = v.Hex("ctx");
        var released = new MemoryStream();
        Exception? failure = null;
        try
        {
            await using var stream = await ChunkedMessage.OpenStreamAsync(source, key, context, Ct);
            var buffer = new byte[5000];
            int n;
            while ((n = await stream.ReadAsync(buffer, Ct)) > 0)
            {
                released.Write(buffer, 0, n);
            }

            if (failure is null && v.Result != "valid")
            {
                Assert.Fail($"tcId {id} ({v.Test.GetProperty("comment")}) decrypted without error.");
            }
        }
        catch (EncryptionException ex)
        {
            failure = ex;
        }

        if (v.Result == "valid")
        {
            Assert.Null(failure);
            Assert.Equal(v.Int("msgLength"), released.Length);
            Assert.Equal(v.Hex("msgSha512"), SHA512.HashData(released.ToArray()));
            return;
        }

        Assert.NotNull(failure);
        if (v.HasFlag("HeaderFailure"))
        {
            // Rejected while reading the header: not one chunk byte was read.
            Assert.True(source.HighestPositionRead <= CiphertextLayout.C2spHeaderSize, $"read up to {source.HighestPositionRead}");
            Assert.Equal(0, released.Length);
        }

        if (v.HasFlag("PartialPlaintext"))
        {
            Assert.True(released.Length <= v.Int("msgLength"));
            Assert.Equal(v.Hex("msgSha512"), SHA512.HashData(released.ToArray()));
        }
        else
        {
            Assert.Equal(0, released.Length);
        }
    }

    [Theory]
    [MemberData(nameof(ChunkedIds))]
    public async Task C2sp_chunked_encryption_stream_keeps_failing_after_an_error(int id)
    {
        var v = Wycheproof.Load(Chunked)[id];
        if (v.Result == "valid" || v.HasFlag("HeaderFailure"))
        {
            return;
        }

        await using var stream = await ChunkedMessage.OpenStreamAsync(new MemoryStream(CiphertextOf(v)), v.Hex("key"), v.Hex("ctx"), Ct);
        var buffer = new byte[CiphertextLayout.ChunkSize];
        await Assert.ThrowsAsync<EncryptionException>(async () =>
        {
            while (await stream.ReadAsync(buffer, Ct) > 0)
            {
            }
        });
        await Assert.ThrowsAsync<EncryptionException>(async () => await stream.ReadExactlyAsync(buffer, Ct));
    }

    [Theory]
    [MemberData(nameof(ChunkedIds))]
    public async Task C2sp_chunked_encryption_random_access(int id)
    {
        var v = Wycheproof.Load(Chunked)[id];
        var ciphertext = CiphertextOf(v);
        byte[] key = v.Hex("key"), context = v.Hex("ctx");
        var whole = new byte[Math.Max(0, ciphertext.Length)];
        if (v.Result == "valid")
        {
            int n = await ChunkedMessage.ReadAtAsync(new MemoryStream(ciphertext), key, context, 0, whole, Ct);
            Assert.Equal(v.Int("msgLength"), n);
            Assert.Equal(v.Hex("msgSha512"), SHA512.HashData(whole.AsSpan(0, n)));

            // A suffix read authenticates the length through the final chunk.
            var tail = new byte[Math.Min(n, 100)];
            Assert.Equal(tail.Length, await ChunkedMessage.ReadAtAsync(new MemoryStream(ciphertext), key, context, n - tail.Length, tail, Ct));
            Assert.Equal(whole.AsSpan(n - tail.Length, tail.Length).ToArray(), tail);
            return;
        }

        await Assert.ThrowsAsync<EncryptionException>(() => ChunkedMessage.ReadAtAsync(new MemoryStream(ciphertext), key, context, 0, whole, Ct));

        // Authenticating the length (decrypting only the final chunk) may succeed only for vectors flagged ValidFinalChunk.
        var end = ChunkedMessage.ReadAtAsync(new MemoryStream(ciphertext), key, context, long.MaxValue / 2, Memory<byte>.Empty, Ct);
        if (v.HasFlag("ValidFinalChunk"))
        {
            Assert.Equal(0, await end);
        }
        else
        {
            await Assert.ThrowsAsync<EncryptionException>(() => end);
        }
    }

    [Theory]
    [MemberData(nameof(ChunkedIds))]
    public void C2sp_chunked_encryption_in_memory(int id)
    {
        var v = Wycheproof.Load(Chunked)[id];
        var ciphertext = CiphertextOf(v);
        var plaintext = new byte[ciphertext.Length];
        if (v.Result == "valid")
        {
            int n = ChunkedMessage.Decrypt(ciphertext, v.Hex("key"), v.Hex("ctx"), plaintext);
            Assert.Equal(v.Int("msgLength"), n);
            Assert.Equal(v.Hex("msgSha512"), SHA512.HashData(plaintext.AsSpan(0, n)));
        }
        else
        {
            Assert.Throws<EncryptionException>(() => ChunkedMessage.Decrypt(ciphertext, v.Hex("key"), v.Hex("ctx"), plaintext));
            Assert.All(plaintext, b => Assert.Equal(0, b));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(CiphertextLayout.ChunkSize)]
    [InlineData((3 * CiphertextLayout.ChunkSize) + 77)]
    public async Task In_memory_and_streaming_encryption_give_the_same_bytes(int length)
    {
        var plaintext = MusicLocker.Testing.TestData.Bytes(length, length);
        byte[] key = MusicLocker.Testing.TestData.Bytes(32, 5), salt = MusicLocker.Testing.TestData.Bytes(24, 6), context = "c"u8.ToArray();
        using var cipher = ChunkCipher.Create(key, salt, context);
        byte[] header = [.. salt, .. cipher.Commitment];
        var inMemory = new byte[CiphertextLayout.C2spCiphertextLength(length)];
        ChunkedMessage.Encrypt(cipher, header, plaintext, inMemory);
        var streamed = new MemoryStream();
        await using (var stream = new EncryptingReadStream(new MemoryStream(plaintext), ChunkCipher.Create(key, salt, context), header, 0, EncryptMode.WholeMessage))
        {
            await stream.CopyToAsync(streamed, Ct);
        }

        Assert.Equal(streamed.ToArray(), inMemory);
        var back = new byte[length];
        Assert.Equal(length, ChunkedMessage.Decrypt(inMemory, key, context, back));
        Assert.Equal(plaintext, back);
    }

    private static byte[] CiphertextOf(Wycheproof.Vector v)
    {
        using var zlib = new ZLibStream(new MemoryStream(v.Hex("ct")), CompressionMode.Decompress);
        var output = new MemoryStream();
        zlib.CopyTo(output);
        return output.ToArray();
    }

    private static void CheckHkdf(Wycheproof.Vector v, HashAlgorithmName hash)
    {
        byte[] ikm = v.Hex("ikm"), salt = v.Hex("salt"), info = v.Hex("info");
        int size = v.Int("size");
        if (v.Result == "valid")
        {
            Assert.Equal(v.Hex("okm"), HKDF.DeriveKey(hash, ikm, size, salt, info));
        }
        else
        {
            Assert.ThrowsAny<ArgumentException>(() => HKDF.DeriveKey(hash, ikm, size, salt, info));
        }
    }
}
