using MusicLocker.Crypto.Format;
using MusicLocker.Storage;
using MusicLocker.Testing;

namespace MusicLocker.Crypto.Tests;

/// <summary>
/// The "must be detected" list, each through <see cref="EncryptedBlobStore"/> over a real store: every tamper
/// fails with an <see cref="EncryptionException"/>, and no byte of an unauthenticated chunk is ever released.
/// </summary>
public sealed class TamperTests : IDisposable
{
    private const int Chunk = CiphertextLayout.ChunkSize;
    private const int Enc = CiphertextLayout.EncryptedChunkSize;
    private const int Header = CiphertextLayout.HeaderSize;
    private static readonly byte[] Plain = TestData.Bytes((5 * Chunk) + 1000, 7);

    private CryptoFixture? _fixture;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private CryptoFixture F => _fixture!;

    public void Dispose() => _fixture?.Dispose();

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    public async Task A_flipped_bit_in_the_prefix_is_detected(int index)
    {
        await PutAsync();
        await F.TamperAsync("ann/a.mp3", b => Flip(b, index, 0x10));
        await AssertFailsAsync("ann/a.mp3", releasedAtMost: 0);

        // The same flip in the header recorded in the metadata fails before any chunk is requested.
        await PutAsync();
        await F.TamperAsync("ann/a.mp3", b => b, m => FlipHeaderMetadata(m, index));
        await AssertFailsBeforeAnyChunkReadAsync("ann/a.mp3");
    }

    [Theory]
    [InlineData(CiphertextLayout.PrefixSize)]
    [InlineData(CiphertextLayout.PrefixSize + 23)]
    [InlineData(CiphertextLayout.PrefixSize + CiphertextLayout.SaltSize)]
    [InlineData(Header - 1)]
    public async Task A_flipped_bit_in_the_salt_or_commitment_is_detected(int index)
    {
        await PutAsync();
        await F.TamperAsync("ann/a.mp3", b => Flip(b, index, 0x01));
        await AssertFailsAsync("ann/a.mp3", releasedAtMost: 0);

        await PutAsync();
        await F.TamperAsync("ann/a.mp3", b => b, m => FlipHeaderMetadata(m, index));
        await AssertFailsBeforeAnyChunkReadAsync("ann/a.mp3");
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(0, Chunk + 15)]
    [InlineData(2, 100)]
    [InlineData(5, 0)]
    [InlineData(5, 1015)]
    public async Task A_flipped_bit_in_a_chunk_body_or_tag_is_detected(int chunk, int offsetInChunk)
    {
        await PutAsync();
        await F.TamperAsync("ann/a.mp3", b => Flip(b, Header + (chunk * Enc) + offsetInChunk, 0x80));
        await AssertFailsAsync("ann/a.mp3", releasedAtMost: chunk * Chunk);

        // A range inside the tampered chunk fails too; the chunks before it still read.
        await AssertFailsAsync("ann/a.mp3", new ByteRange((chunk * Chunk) + 10, 5), releasedAtMost: 0);
        if (chunk > 0)
        {
            Assert.Equal(Plain[..Chunk], await ReadAsync("ann/a.mp3", new ByteRange(0, Chunk)));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    public async Task Truncation_at_a_chunk_boundary_is_detected(int chunks)
    {
        await PutAsync();
        await F.TamperAsync("ann/a.mp3", b => b[..(Header + (chunks * Enc))]);
        var ex = await Assert.ThrowsAnyAsync<EncryptionException>(() => F.Store.GetPropertiesAsync(BlobKey.Parse("ann/a.mp3"), Ct));
        Assert.Equal(EncryptionErrorCode.CiphertextInvalid, ex.ErrorCode);
        await AssertFailsAsync("ann/a.mp3", releasedAtMost: 0);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(Header)]
    [InlineData(Header + 10)]
    [InlineData(Header + Enc + 16)]
    [InlineData(Header + (2 * Enc) + 5000)]
    [InlineData(Header + (5 * Enc) + 500)]
    [InlineData(Header + (5 * Enc) + 1015)]
    public async Task Truncation_between_chunk_boundaries_is_detected(int length)
    {
        await PutAsync();
        await F.TamperAsync("ann/a.mp3", b => b[..length]);
        int intactChunks = Math.Max(0, (length - Header) / Enc);
        await AssertFailsAsync("ann/a.mp3", releasedAtMost: intactChunks * Chunk);

        // A suffix read takes the (cut) final chunk and fails before releasing anything, even when it spans two chunks.
        await AssertFailsAsync("ann/a.mp3", ByteRange.Suffix(1), releasedAtMost: 0);
        await AssertFailsAsync("ann/a.mp3", ByteRange.Suffix(3000), releasedAtMost: 0);
    }

    [Fact]
    public async Task An_appended_chunk_is_detected()
    {
        await PutAsync();

        // Append a copy of a genuine full chunk: a valid chunk, at the wrong index.
        await F.TamperAsync("ann/a.mp3", b => [.. b, .. b.AsSpan(Header + Enc, Enc)]);
        await AssertFailsAsync("ann/a.mp3", releasedAtMost: 5 * Chunk);
        await AssertFailsAsync("ann/a.mp3", ByteRange.Suffix(10), releasedAtMost: 0);
        await AssertFailsAsync("ann/a.mp3", ByteRange.Suffix(Chunk + 10), releasedAtMost: 0);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(100)]
    public async Task Trailing_bytes_are_detected(int count)
    {
        await PutAsync();
        await F.TamperAsync("ann/a.mp3", b => [.. b, .. new byte[count]]);
        await AssertFailsAsync("ann/a.mp3", releasedAtMost: 5 * Chunk);
        await AssertFailsAsync("ann/a.mp3", ByteRange.Suffix(10), releasedAtMost: 0);
    }

    [Fact]
    public async Task Reordered_chunks_are_detected()
    {
        await PutAsync();
        await F.TamperAsync("ann/a.mp3", b => Swap(b, 1, 2));
        await AssertFailsAsync("ann/a.mp3", releasedAtMost: Chunk);
    }

    [Fact]
    public async Task A_duplicated_chunk_is_detected()
    {
        await PutAsync();
        await F.TamperAsync("ann/a.mp3", b =>
        {
            var copy = b.ToArray();
            b.AsSpan(Header, Enc).CopyTo(copy.AsSpan(Header + Enc));
            return copy;
        });
        await AssertFailsAsync("ann/a.mp3", releasedAtMost: Chunk);
    }

    [Fact]
    public async Task A_dropped_chunk_is_detected()
    {
        await PutAsync();
        await F.TamperAsync("ann/a.mp3", b => [.. b.AsSpan(0, Header + Enc), .. b.AsSpan(Header + (2 * Enc))]);
        await AssertFailsAsync("ann/a.mp3", releasedAtMost: Chunk);
    }

    [Fact]
    public async Task A_chunk_moved_between_two_objects_of_one_user_is_detected()
    {
        await PutAsync("ann/a.mp3");
        await PutAsync("ann/b.mp3");
        var other = await F.Inner.ReadAllBytesAsync(BlobKey.Parse("ann/b.mp3"), cancellationToken: Ct);
        await F.TamperAsync("ann/a.mp3", b =>
        {
            var copy = b.ToArray();
            other.AsSpan(Header + (2 * Enc), Enc).CopyTo(copy.AsSpan(Header + (2 * Enc)));
            return copy;
        });
        await AssertFailsAsync("ann/a.mp3", releasedAtMost: 2 * Chunk);
    }

    [Theory]
    [InlineData("ann/copy.mp3")]
    [InlineData("bob/a.mp3")]
    public async Task A_whole_ciphertext_moved_to_another_object_or_user_is_detected(string destination)
    {
        await PutAsync("ann/a.mp3");
        await PutAsync(destination);
        F.Inner.Reset();

        // A server-side copy moves ciphertext and metadata (header and wrapped key) together.
        await F.Inner.CopyAsync(BlobKey.Parse("ann/a.mp3"), BlobKey.Parse(destination), null, Ct);
        await AssertFailsBeforeAnyChunkReadAsync(destination);
    }

    [Fact]
    public async Task A_wrapped_data_key_swapped_between_objects_is_detected()
    {
        await PutAsync("ann/a.mp3");
        await PutAsync("ann/b.mp3");
        var b = await F.Inner.GetPropertiesAsync(BlobKey.Parse("ann/b.mp3"), Ct);
        await F.TamperAsync("ann/a.mp3", bytes => bytes, m =>
        {
            m["mlc-key"] = b.Metadata["mlc-key"];
            return m;
        });
        var ex = await AssertFailsBeforeAnyChunkReadAsync("ann/a.mp3");
        Assert.Equal(EncryptionErrorCode.KeyUnwrapFailed, ex.ErrorCode);
    }

    [Fact]
    public async Task The_wrong_key_is_detected_by_the_commitment_before_any_chunk_is_read()
    {
        var dataKey = TestData.Bytes(32, 1);
        var context = "ctx"u8.ToArray();
        var message = Encrypt(dataKey, context, TestData.Bytes(3 * Chunk, 2));
        var wrongKey = TestData.Bytes(32, 2);
        var source = new RecordingStream(message);
        var ex = await Assert.ThrowsAsync<EncryptionException>(() => ChunkedMessage.OpenStreamAsync(source, wrongKey, context, Ct));
        Assert.Equal(EncryptionErrorCode.KeyCommitmentMismatch, ex.ErrorCode);
        Assert.Equal(CiphertextLayout.C2spHeaderSize, source.HighestPositionRead);

        // And through the store: a data key wrapped under another user's key for this object does not unwrap.
        await PutAsync("ann/a.mp3");
        await PutAsync("bob/a.mp3");
        var bob = await F.Inner.GetPropertiesAsync(BlobKey.Parse("bob/a.mp3"), Ct);
        await F.TamperAsync("ann/a.mp3", b => b, m =>
        {
            m["mlc-key"] = bob.Metadata["mlc-key"];
            return m;
        });
        await AssertFailsBeforeAnyChunkReadAsync("ann/a.mp3");
    }

    [Fact]
    public async Task A_header_tamper_fails_before_any_chunk_byte_is_read_from_a_stream()
    {
        var dataKey = TestData.Bytes(32, 1);
        var context = "ctx"u8.ToArray();
        var message = Encrypt(dataKey, context, TestData.Bytes(3 * Chunk, 2));
        foreach (int index in new[] { 0, 12, 23, 24, 40, 55 })
        {
            var source = new RecordingStream(Flip(message, index, 0x04), maxPerRead: 7);
            await Assert.ThrowsAsync<EncryptionException>(() => ChunkedMessage.OpenStreamAsync(source, dataKey, context, Ct));
            Assert.Equal(CiphertextLayout.C2spHeaderSize, source.HighestPositionRead);
        }
    }

    [Fact]
    public async Task Two_encryptions_of_the_same_plaintext_differ()
    {
        await PutAsync("ann/a.mp3");
        var first = await F.Inner.ReadAllBytesAsync(BlobKey.Parse("ann/a.mp3"), cancellationToken: Ct);
        await PutAsync("ann/a.mp3");
        var second = await F.Inner.ReadAllBytesAsync(BlobKey.Parse("ann/a.mp3"), cancellationToken: Ct);
        Assert.Equal(first.Length, second.Length);
        Assert.False(first.AsSpan(CiphertextLayout.PrefixSize).SequenceEqual(second.AsSpan(CiphertextLayout.PrefixSize)));
        for (int c = 0; c < 6; c++)
        {
            Assert.False(first.AsSpan(Header + (c * Enc), 64).SequenceEqual(second.AsSpan(Header + (c * Enc), 64)), $"chunk {c} repeats");
        }

        Assert.Equal(Plain, await ReadAsync("ann/a.mp3", ByteRange.All));
    }

    internal static byte[] Encrypt(byte[] key, byte[] context, byte[] plaintext)
    {
        var salt = TestData.Bytes(CiphertextLayout.SaltSize, 9);
        var cipher = ChunkCipher.Create(key, salt, context);
        byte[] header = [.. salt, .. cipher.Commitment];
        using var stream = new EncryptingReadStream(new MemoryStream(plaintext), cipher, header, 0, EncryptMode.WholeMessage);
        var output = new MemoryStream();
        stream.CopyTo(output);
        return output.ToArray();
    }

    private static byte[] Flip(byte[] bytes, int index, byte mask)
    {
        var copy = bytes.ToArray();
        copy[index] ^= mask;
        return copy;
    }

    private static byte[] Swap(byte[] bytes, int a, int b)
    {
        var copy = bytes.ToArray();
        bytes.AsSpan(Header + (a * Enc), Enc).CopyTo(copy.AsSpan(Header + (b * Enc)));
        bytes.AsSpan(Header + (b * Enc), Enc).CopyTo(copy.AsSpan(Header + (a * Enc)));
        return copy;
    }

    private static Dictionary<string, string> FlipHeaderMetadata(Dictionary<string, string> metadata, int index)
    {
        var header = Convert.FromBase64String(metadata["mlc-header"]);
        header[index] ^= 0x10;
        metadata["mlc-header"] = Convert.ToBase64String(header);
        return metadata;
    }

    private async Task PutAsync(string key = "ann/a.mp3")
    {
        _fixture ??= await CryptoFixture.CreateAsync();
        await F.Store.PutBytesAsync(BlobKey.Parse(key), Plain, null, Ct);
    }

    private async Task<byte[]> ReadAsync(string key, ByteRange range)
    {
        await using var download = await F.Store.OpenReadAsync(BlobKey.Parse(key), new ReadBlobOptions { Range = range }, Ct);
        var output = new MemoryStream();
        await download.Content.CopyToAsync(output, Ct);
        return output.ToArray();
    }

    private async Task<EncryptionException> AssertFailsAsync(string key, ByteRange range = default, int releasedAtMost = 0)
    {
        var released = new MemoryStream();
        range.TryResolve(Plain.Length, out long offset, out _);
        var ex = await Assert.ThrowsAnyAsync<EncryptionException>(async () =>
        {
            await using var download = await F.Store.OpenReadAsync(BlobKey.Parse(key), new ReadBlobOptions { Range = range }, Ct);
            offset = download.Offset;
            var buffer = new byte[3000];
            int n;
            while ((n = await download.Content.ReadAsync(buffer, Ct)) > 0)
            {
                released.Write(buffer, 0, n);
            }
        });
        Assert.InRange(released.Length, 0, releasedAtMost);
        if (released.Length > 0)
        {
            // Whatever was released before the failure is genuine plaintext at its genuine position.
            Assert.Equal(Plain.AsSpan((int)offset, (int)released.Length).ToArray(), released.ToArray());
        }

        return ex;
    }

    private async Task<EncryptionException> AssertFailsBeforeAnyChunkReadAsync(string key)
    {
        F.Inner.Reset();
        var ex = await Assert.ThrowsAnyAsync<EncryptionException>(() => F.Store.OpenReadAsync(BlobKey.Parse(key), null, Ct));
        Assert.Equal(0, F.Inner.Reads);
        return ex;
    }
}
