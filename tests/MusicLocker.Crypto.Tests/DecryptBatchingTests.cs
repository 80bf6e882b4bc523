using System.Security.Cryptography;
using MusicLocker.Crypto.Format;
using MusicLocker.Storage;
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

        var source = new LendingReadStream(ciphertext.AsMemory((int)cipherOffset, (int)cipherLength));
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
        Assert.Equal(cipherLength, source.Taken); // never past the window
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

    [Theory]
    [InlineData(1)] // lends every batch
    [InlineData(2)] // lends every second batch and refuses the others
    [InlineData(0)] // never lends
    public async Task A_source_that_lends_its_memory_is_decrypted_from_it_byte_for_byte(int lendEvery)
    {
        const int Length = (3 * 1024 * 1024) + 777;
        var (plain, ciphertext, cipherFactory, header) = Message(Length);
        var random = new Random(lendEvery);
        int lends = 0, reads = 0;
        for (int trial = 0; trial < 60; trial++)
        {
            long offset = trial % 10 == 0 ? 0 : random.NextInt64(Length);
            long length = trial % 7 == 0 ? Length - offset : random.NextInt64(Length - offset + 1);
            var window = DecryptWindow.ForRange(Length, offset, length);
            var (cipherOffset, cipherLength) = window.CiphertextRange();
            if (window.FirstChunk == 0)
            {
                window = window with { ExpectedHeader = header };
                cipherLength += cipherOffset;
                cipherOffset = 0;
            }

            var source = new LendingReadStream(ciphertext.AsMemory((int)cipherOffset, (int)cipherLength), lendEvery);
            await using var stream = new DecryptingReadStream(source, cipherFactory(), window);
            var output = new MemoryStream();
            var buffer = new byte[random.Next(1, 3 * Chunk)];
            int n;
            while ((n = await (trial % 2 == 0 ? stream.ReadAsync(buffer, Ct) : ValueTask.FromResult(stream.Read(buffer)))) > 0)
            {
                output.Write(buffer, 0, n);
            }

            Assert.Equal(plain.AsSpan((int)offset, (int)length).ToArray(), output.ToArray());
            Assert.Equal(cipherLength, source.Taken); // every chunk of the window, nothing past it
            lends += source.Lends;
            reads += source.Reads;
        }

        Assert.Equal(lendEvery > 0, lends > 0);
        Assert.Equal(lendEvery != 1, reads > 0);
    }

    [Theory]
    [InlineData(1, true)] // every batch lent: one read crosses batches
    [InlineData(0, false)] // read from the source: a read stops at the batch's end (no second source read inside one read)
    public async Task A_read_from_lent_memory_is_not_cut_short_at_a_batch_end(int lendEvery, bool crosses)
    {
        const int Length = 3 * 1024 * 1024;
        var (plain, ciphertext, cipherFactory, _) = Message(Length);
        const long Offset = 40 * Chunk; // chunk-aligned: no partial first chunk
        const int RangeLength = 1 << 20;
        var window = DecryptWindow.ForRange(Length, Offset, RangeLength);
        var (cipherOffset, cipherLength) = window.CiphertextRange();
        var source = new LendingReadStream(ciphertext.AsMemory((int)cipherOffset, (int)cipherLength), lendEvery);
        await using var stream = new DecryptingReadStream(source, cipherFactory(), window);
        var output = new byte[RangeLength];

        int first = await stream.ReadAsync(output.AsMemory(0, 32 * Chunk), Ct);

        Assert.Equal(crosses ? 32 * Chunk : DecryptingReadStream.BatchChunks * Chunk, first);
        Assert.Equal(plain.AsSpan((int)Offset, first).ToArray(), output.AsSpan(0, first).ToArray());
        int total = first, n;
        while ((n = await stream.ReadAsync(output.AsMemory(total), Ct)) > 0)
        {
            total += n;
        }

        Assert.Equal(plain.AsSpan((int)Offset, RangeLength).ToArray(), output);
        Assert.Equal(cipherLength, source.Taken);
    }

    [Fact]
    public async Task A_changed_byte_in_lent_memory_fails_authentication_like_a_read_one()
    {
        var (_, ciphertext, cipherFactory, _) = Message(5 * Chunk);
        var window = DecryptWindow.ForRange(5 * Chunk, 0, 5 * Chunk);
        var (offset, length) = window.CiphertextRange();
        var stored = ciphertext.AsSpan((int)offset, (int)length).ToArray();
        stored[(2 * CiphertextLayout.EncryptedChunkSize) + 5] ^= 1;
        await using var stream = new DecryptingReadStream(new LendingReadStream(stored, lendEvery: 1), cipherFactory(), window);

        var ex = await Assert.ThrowsAsync<EncryptionException>(() => stream.CopyToAsync(Stream.Null, Ct));
        Assert.Equal(EncryptionErrorCode.CiphertextInvalid, ex.ErrorCode);
        Assert.Contains("chunk 2 does not authenticate", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, 2)] // lent, the bad chunk inside the first batch
    [InlineData(1, 9)] // lent, the bad chunk in the second batch, reached inside the same read
    [InlineData(0, 2)] // read from the source
    public async Task A_read_that_reaches_a_bad_chunk_releases_the_chunks_before_it_and_the_next_read_fails(int lendEvery, int badChunk)
    {
        const int Length = 12 * Chunk;
        var (plain, ciphertext, cipherFactory, _) = Message(Length);
        var window = DecryptWindow.ForRange(Length, 0, Length);
        var (offset, length) = window.CiphertextRange();
        var stored = ciphertext.AsSpan((int)offset, (int)length).ToArray();
        stored[(badChunk * CiphertextLayout.EncryptedChunkSize) + 5] ^= 1;
        await using var stream = new DecryptingReadStream(new LendingReadStream(stored, lendEvery), cipherFactory(), window);
        var output = new byte[Length];

        int first = await stream.ReadAsync(output, Ct);

        int expected = lendEvery == 0 ? Math.Min(badChunk, DecryptingReadStream.BatchChunks) * Chunk : badChunk * Chunk;
        Assert.Equal(expected, first);
        Assert.Equal(plain.AsSpan(0, first).ToArray(), output.AsSpan(0, first).ToArray());
        var ex = await Assert.ThrowsAsync<EncryptionException>(async () => _ = await stream.ReadAsync(output, Ct));
        Assert.Equal(EncryptionErrorCode.CiphertextInvalid, ex.ErrorCode);
        Assert.Contains($"chunk {badChunk} does not authenticate", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<EncryptionException>(async () => _ = await stream.ReadAsync(output, Ct)); // sticky
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    public async Task A_lender_that_lends_another_length_than_asked_is_refused_with_a_clear_error(int lie)
    {
        var (_, ciphertext, cipherFactory, _) = Message(5 * Chunk);
        var window = DecryptWindow.ForRange(5 * Chunk, 0, 5 * Chunk);
        var (offset, length) = window.CiphertextRange();
        byte[] stored = [.. ciphertext.AsSpan((int)offset, (int)length), 0]; // a byte past the window, for a lender that lends one too many
        var source = new LendingReadStream(stored, lendEvery: 1) { LengthError = lie };
        await using var stream = new DecryptingReadStream(source, cipherFactory(), window);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => stream.CopyToAsync(Stream.Null, Ct));
        Assert.Contains(nameof(LendingReadStream), ex.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(IReadOnlyMemoryLender), ex.Message, StringComparison.Ordinal);
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

    /// <summary>A forward-only source over bytes that counts its reads and lends every <c>lendEvery</c>-th request (0: none).</summary>
    private sealed class LendingReadStream(ReadOnlyMemory<byte> bytes, int lendEvery = 0) : ForwardOnlyReadStream, IReadOnlyMemoryLender
    {
        private int _asked;

        /// <summary>Bytes lent or read so far.</summary>
        public int Taken { get; private set; }

        public int Lends { get; private set; }

        public int Reads { get; private set; }

        /// <summary>Added to the length of every view lent (a broken lender).</summary>
        public int LengthError { get; init; }

        public bool TryLend(int length, out ReadOnlyMemory<byte> lent)
        {
            lent = default;
            if (lendEvery == 0 || ++_asked % lendEvery != 0 || length > bytes.Length - Taken)
            {
                return false;
            }

            lent = bytes.Slice(Taken, Math.Min(length + LengthError, bytes.Length - Taken));
            Taken += length;
            Lends++;
            return true;
        }

        public override int Read(Span<byte> buffer)
        {
            Reads++;
            int n = Math.Min(buffer.Length, bytes.Length - Taken);
            bytes.Span.Slice(Taken, n).CopyTo(buffer);
            Taken += n;
            return n;
        }
    }
}
