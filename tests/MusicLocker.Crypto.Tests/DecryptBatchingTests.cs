using System.Security.Cryptography;
using MusicLocker.Crypto.Format;
using MusicLocker.Testing;

namespace MusicLocker.Crypto.Tests;

/// <summary>
/// The decrypting stream reads ciphertext in batches of chunks and fills a large caller buffer with every batched chunk:
/// a 1 MiB range is a handful of source reads and reads, not 65 of each (the cost that made the streaming decrypt 1.25×
/// raw AES-GCM).
/// </summary>
public sealed class DecryptBatchingTests
{
    private const int Chunk = CiphertextLayout.ChunkSize;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_1_MiB_range_takes_few_source_reads_and_few_caller_reads(bool fromStart)
    {
        const int Length = 3 * 1024 * 1024;
        var (plain, ciphertext, cipherFactory, header) = Message(Length);
        long offset = fromStart ? 0 : (Chunk * 50) + 123;
        const int RangeLength = 1 << 20;
        var window = DecryptWindow.ForRange(Length, offset, RangeLength);
        var (cipherOffset, cipherLength) = window.CiphertextRange();
        if (fromStart)
        {
            window = window with { ExpectedHeader = header };
            cipherLength += cipherOffset;
            cipherOffset = 0;
        }

        var source = new CountingReadStream(ciphertext.AsMemory((int)cipherOffset, (int)cipherLength));
        await using var stream = new DecryptingReadStream(source, cipherFactory(), window);
        var output = new byte[RangeLength];
        int total = 0, calls = 0, n;
        while ((n = await stream.ReadAsync(output.AsMemory(total), Ct)) > 0)
        {
            total += n;
            calls++;
        }

        Assert.Equal(RangeLength, total);
        Assert.Equal(plain.AsSpan((int)offset, RangeLength).ToArray(), output);

        // 65 covering chunks, 7 per source read; the first read of an unaligned range keeps a partial chunk back.
        int chunks = (int)(window.LastChunk - window.FirstChunk + 1);
        int batches = (chunks + DecryptingReadStream.BatchChunks - 1) / DecryptingReadStream.BatchChunks;
        Assert.Equal(batches, source.Reads);
        Assert.True(calls <= (2 * batches) + 1, $"{calls} reads for a 1 MiB buffer ({chunks} chunks, {batches} batches)");
        Assert.Equal(cipherLength, source.BytesRead); // never past the window
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(Chunk - 1)]
    [InlineData(Chunk)]
    [InlineData((7 * Chunk) - 1)]
    [InlineData(7 * Chunk)]
    [InlineData((7 * Chunk) + 1)]
    [InlineData((14 * Chunk) + 5)]
    public async Task A_whole_message_of_unknown_length_decrypts_at_every_batch_boundary_with_any_read_size(int length)
    {
        var (plain, ciphertext, _, _) = Message(length);
        var key = MessageKey;
        foreach (int readSize in new[] { 1, 1000, Chunk, 3 * Chunk, 1 << 20 })
        {
            await using var stream = await ChunkedMessage.OpenStreamAsync(new MemoryStream(ciphertext[CiphertextLayout.PrefixSize..]), key, Context, Ct);
            var round = new MemoryStream();
            var buffer = new byte[readSize];
            int n;
            while ((n = await stream.ReadAsync(buffer, Ct)) > 0)
            {
                round.Write(buffer, 0, n);
            }

            Assert.Equal(plain, round.ToArray());
        }
    }

    [Theory]
    [InlineData(7 * Chunk)]
    [InlineData((7 * Chunk) + 100)]
    public async Task A_message_cut_at_a_batch_boundary_is_refused_as_truncated(int length)
    {
        var (_, ciphertext, _, _) = Message(length);
        // Drop the final chunk whole: what is left ends exactly after 7 full chunks, one source batch.
        int cut = CiphertextLayout.PrefixSize + CiphertextLayout.C2spHeaderSize + (7 * CiphertextLayout.EncryptedChunkSize);
        await using var stream = await ChunkedMessage.OpenStreamAsync(new MemoryStream(ciphertext[CiphertextLayout.PrefixSize..cut]), MessageKey, Context, Ct);
        var ex = await Assert.ThrowsAsync<EncryptionException>(() => stream.CopyToAsync(Stream.Null, Ct));
        Assert.Equal(EncryptionErrorCode.CiphertextInvalid, ex.ErrorCode);
        Assert.Contains("final chunk is missing", ex.Message, StringComparison.Ordinal);
    }

    private static readonly byte[] MessageKey = RandomNumberGenerator.GetBytes(CiphertextLayout.KeySize);
    private static readonly byte[] Salt = RandomNumberGenerator.GetBytes(CiphertextLayout.SaltSize);
    private static readonly byte[] Context = "batching-test"u8.ToArray();

    private static (byte[] Plain, byte[] Ciphertext, Func<ChunkCipher> Cipher, byte[] Header) Message(int length)
    {
        var plain = TestData.Bytes(length, seed: length);
        var prefix = new byte[CiphertextLayout.PrefixSize];
        FormatPrefix.Write(prefix);
        var cipher = ChunkCipher.Create(MessageKey, Salt, Context);
        byte[] header = [.. prefix, .. Salt, .. cipher.Commitment];
        var output = new MemoryStream();
        using (var encrypting = new EncryptingReadStream(new MemoryStream(plain), cipher, header, 0, EncryptMode.WholeMessage))
        {
            encrypting.CopyTo(output);
        }

        return (plain, output.ToArray(), () => ChunkCipher.Create(MessageKey, Salt, Context), header);
    }

    /// <summary>A forward-only source over bytes that counts its reads.</summary>
    private sealed class CountingReadStream(ReadOnlyMemory<byte> bytes) : ForwardOnlyReadStream
    {
        private int _position;

        public int Reads { get; private set; }

        public long BytesRead => _position;

        public override int Read(Span<byte> buffer)
        {
            Reads++;
            int n = Math.Min(buffer.Length, bytes.Length - _position);
            bytes.Span.Slice(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }
    }
}
