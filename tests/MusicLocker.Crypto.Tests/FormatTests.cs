using System.Security.Cryptography;
using System.Text.Json;
using MusicLocker.Crypto.Format;
using MusicLocker.Crypto.Keys;
using MusicLocker.Storage;
using MusicLocker.Testing;

namespace MusicLocker.Crypto.Tests;

/// <summary>The object format against our committed vectors (made by an independent Python implementation) and its length and range arithmetic.</summary>
public sealed class FormatTests
{
    private const int Chunk = CiphertextLayout.ChunkSize;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<int> VectorIndexes => new(Enumerable.Range(0, Vectors().GetArrayLength()));

    [Theory]
    [MemberData(nameof(VectorIndexes))]
    public async Task Our_committed_vectors_encrypt_and_decrypt_byte_for_byte(int index)
    {
        var v = Vectors()[index];
        var owner = new KeyOwner(v.GetProperty("tenant").GetString()!, v.GetProperty("user").GetString()!);
        string objectId = v.GetProperty("objectId").GetString()!;
        byte[] dataKey = Hex(v, "dataKey"), salt = Hex(v, "salt"), header = Hex(v, "header");
        int length = v.GetProperty("plaintextLength").GetInt32();
        var plaintext = new byte[length];
        for (int i = 0; i < length; i++)
        {
            plaintext[i] = (byte)((7 * i) + 3);
        }

        var prefix = new byte[CiphertextLayout.PrefixSize];
        FormatPrefix.Write(prefix);
        var context = FormatPrefix.ObjectContext(prefix, owner, objectId);
        Assert.Equal(Hex(v, "context"), context);

        var cipher = ChunkCipher.Create(dataKey, salt, context);
        byte[] expectedHeader = [.. prefix, .. salt, .. cipher.Commitment];
        Assert.Equal(header, expectedHeader);
        var output = new MemoryStream();
        await using (var encrypting = new EncryptingReadStream(new MemoryStream(plaintext), cipher, header, 0, EncryptMode.WholeMessage))
        {
            await encrypting.CopyToAsync(output, Ct);
        }

        var ciphertext = output.ToArray();
        Assert.Equal(v.GetProperty("ciphertextLength").GetInt64(), ciphertext.Length);
        Assert.Equal(CiphertextLayout.CiphertextLength(length), ciphertext.Length);
        Assert.Equal(Hex(v, "ciphertextSha256"), SHA256.HashData(ciphertext));
        if (v.TryGetProperty("ciphertext", out _))
        {
            Assert.Equal(Hex(v, "ciphertext"), ciphertext);
        }

        // The wrapped data key (AES-256-GCM under the user key, the context in the associated data).
        var userKey = Convert.FromHexString(VectorFile().GetProperty("userKey").GetString()!);
        var wrapped = Hex(v, "wrappedDataKey");
        Assert.Equal(wrapped, DataKeyWrap.Wrap(userKey, context, dataKey, wrapped.AsSpan(0, DataKeyWrap.NonceSize)));
        Assert.True(DataKeyWrap.TryUnwrap(userKey, context, wrapped, out var unwrapped));
        Assert.Equal(dataKey, unwrapped);
        Assert.False(DataKeyWrap.TryUnwrap(userKey, FormatPrefix.ObjectContext(prefix, owner, objectId + "x"), wrapped, out _));

        // Decrypt it back, whole (prefix stripped: the C2SP message starts after it).
        await using var decrypting = await ChunkedMessage.OpenStreamAsync(new MemoryStream(ciphertext[CiphertextLayout.PrefixSize..]), dataKey, context, Ct);
        var round = new MemoryStream();
        await decrypting.CopyToAsync(round, Ct);
        Assert.Equal(plaintext, round.ToArray());
    }

    [Theory]
    [InlineData(0, 80)]
    [InlineData(1, 81)]
    [InlineData(Chunk - 1, 64 + Chunk - 1 + 16)]
    [InlineData(Chunk, 64 + Chunk + 16 + 16)]
    [InlineData(100 * 1000 * 1000, 64 + (6103L * 16400) + (100_000_000 - (6103L * Chunk)) + 16)]
    public void Plaintext_length_follows_from_ciphertext_length(long plaintext, long ciphertext)
    {
        Assert.Equal(ciphertext, CiphertextLayout.CiphertextLength(plaintext));
        Assert.True(CiphertextLayout.TryGetPlaintextLength(ciphertext - CiphertextLayout.HeaderSize, out long back));
        Assert.Equal(plaintext, back);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(15)]
    [InlineData(16400)]
    [InlineData(16400 + 15)]
    [InlineData(2 * 16400)]
    public void Impossible_ciphertext_lengths_are_refused(long chunksLength) =>
        Assert.False(CiphertextLayout.TryGetPlaintextLength(chunksLength, out _));

    [Fact]
    public void The_worked_range_example_of_the_format_document_holds()
    {
        // docs/encryption-format.md: bytes 1,000,000–1,099,999 of a 5,000,000-byte object.
        var window = DecryptWindow.ForRange(5_000_000, 1_000_000, 100_000);
        Assert.Equal(61, window.FirstChunk);
        Assert.Equal(67, window.LastChunk);
        Assert.Equal(305, window.FinalChunk);
        Assert.Equal(576, window.Skip);
        Assert.Equal((1_000_464L, 114_800L), window.CiphertextRange());
        Assert.Equal(5_004_960, CiphertextLayout.CiphertextLength(5_000_000));
    }

    [Fact]
    public async Task Range_reads_equal_slices_of_a_full_read_for_random_lengths_and_ranges()
    {
        using var fixture = await CryptoFixture.CreateAsync();
        var random = new Random(20261122);
        int[] lengths = [0, 1, 100, Chunk - 1, Chunk, Chunk + 1, 2 * Chunk, (3 * Chunk) + 7, 200_000, random.Next(1, 300_000)];
        foreach (int length in lengths)
        {
            var plain = TestData.Bytes(length, length);
            var key = BlobKey.Parse($"ann/r{length}.bin");
            await fixture.Store.PutBytesAsync(key, plain, null, Ct);
            Assert.Equal(plain, await fixture.Store.ReadAllBytesAsync(key, cancellationToken: Ct));
            if (length == 0)
            {
                await Assert.ThrowsAsync<RangeNotSatisfiableException>(() => fixture.Store.ReadAllBytesAsync(key, new ReadBlobOptions { Range = new ByteRange(0, 1) }, cancellationToken: Ct));
                continue;
            }

            var ranges = new List<ByteRange>
            {
                new(0, 1), new(length - 1, 1), new(length - 1), ByteRange.Suffix(1), ByteRange.Suffix(length), ByteRange.Suffix(length + 5),
                new(0, Math.Min(length, Chunk)), new(Math.Min(length - 1, Chunk)), new(0, length + 100),
            };
            for (int i = 0; i < 12; i++)
            {
                int offset = random.Next(length);
                ranges.Add(random.Next(4) switch
                {
                    0 => new ByteRange(offset),
                    1 => ByteRange.Suffix(random.Next(1, length + 1)),
                    2 => new ByteRange(offset / Chunk * Chunk, Chunk),
                    _ => new ByteRange(offset, random.Next(1, length - offset + 1)),
                });
            }

            foreach (var range in ranges)
            {
                Assert.True(range.TryResolve(length, out long offset, out long count));
                var bytes = await fixture.Store.ReadAllBytesAsync(key, new ReadBlobOptions { Range = range }, cancellationToken: Ct);
                Assert.True(plain.AsSpan((int)offset, (int)count).SequenceEqual(bytes), $"length {length}, range {range}");
            }
        }
    }

    [Fact]
    public async Task A_range_read_is_one_ranged_request_for_exactly_the_covering_chunks()
    {
        using var fixture = await CryptoFixture.CreateAsync();
        var key = BlobKey.Parse("ann/one.bin");
        await fixture.Store.PutBytesAsync(key, TestData.Bytes(10 * Chunk), null, Ct);
        fixture.Inner.Reset();
        var bytes = await fixture.Store.ReadAllBytesAsync(key, new ReadBlobOptions { Range = new ByteRange((3 * Chunk) + 100, Chunk) }, cancellationToken: Ct);
        Assert.Equal(Chunk, bytes.Length);
        var read = Assert.Single(fixture.Inner.ReadRanges);
        Assert.Equal(new ByteRange(CiphertextLayout.ChunkOffset(3), 2 * CiphertextLayout.EncryptedChunkSize), read.Range);
        Assert.Equal(2 * CiphertextLayout.EncryptedChunkSize, fixture.Inner.BytesRead);
    }

    [Fact]
    public async Task Properties_and_listings_report_plaintext_lengths()
    {
        using var fixture = await CryptoFixture.CreateAsync();
        var key = BlobKey.Parse("ann/len.bin");
        var put = await fixture.Store.PutBytesAsync(key, TestData.Bytes(54321), null, Ct);
        Assert.Equal(54321, put.Length);
        Assert.Equal(54321, (await fixture.Store.GetPropertiesAsync(key, Ct)).Length);
        Assert.Equal(CiphertextLayout.CiphertextLength(54321), (await fixture.Inner.GetPropertiesAsync(key, Ct)).Length);
        var listed = new List<BlobItem>();
        await foreach (var item in fixture.Store.ListAsync("", Ct))
        {
            listed.Add(item);
        }

        Assert.Equal(54321, Assert.Single(listed).Length);
    }

    private static JsonElement VectorFile()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Vectors", "musiclocker", "object_format_v1.json")));
        return doc.RootElement.Clone();
    }

    private static JsonElement Vectors() => VectorFile().GetProperty("vectors");

    private static byte[] Hex(JsonElement v, string name) => Convert.FromHexString(v.GetProperty(name).GetString()!);
}
