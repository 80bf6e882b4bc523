using System.Buffers.Binary;
using System.Buffers.Text;
using MusicLocker.Crypto.Format;
using MusicLocker.Storage;
using MusicLocker.Testing;

namespace MusicLocker.Crypto.Tests;

/// <summary>
/// The multipart invariant (docs/encryption-format.md §Multipart uploads): no (key, nonce) pair ever encrypts two
/// different plaintexts, whatever the caller does with part numbers, retries, failed completions and concurrency; and
/// the upload id's state is authenticated.
/// </summary>
public sealed class MultipartNonceTests
{
    private const int PartSize = 4 * CiphertextLayout.ChunkSize;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_part_sent_again_with_other_bytes_is_refused_and_no_keystream_is_reused()
    {
        using var f = await CryptoFixture.CreateAsync(partSize: PartSize);
        var upload = await f.Store.StartMultipartUploadAsync(BlobKey.Parse("ann/resend.mp3"), null, Ct);
        var first = TestData.Bytes(PartSize, 1);
        var other = TestData.Bytes(PartSize, 2);
        var part = await f.Store.UploadPartAsync(upload, 1, new MemoryStream(first), Ct);

        var ex = await Assert.ThrowsAsync<EncryptionException>(() => f.Store.UploadPartAsync(upload, 1, new MemoryStream(other), Ct));
        Assert.Equal(EncryptionErrorCode.PartConflict, ex.ErrorCode);
        Assert.Equal(BlobErrorCode.InvalidPart, ((BlobStoreException)ex).ErrorCode);
        AssertNoKeystreamReuse(f.Inner, 1, [first, other]);
        Assert.Single(f.Inner.PartBodies, p => p.PartNumber == 1); // the refused body's ciphertext never left memory

        // The first body still completes.
        await f.Store.CompleteMultipartUploadAsync(upload, [part], Ct);
        Assert.Equal(first, await f.Store.ReadAllBytesAsync(upload.Key, cancellationToken: Ct));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_part_is_read_from_the_streams_position_and_refused_when_longer_than_the_part_size(bool visibleBuffer)
    {
        using var f = await CryptoFixture.CreateAsync(partSize: PartSize);
        var upload = await f.Store.StartMultipartUploadAsync(BlobKey.Parse("ann/positioned.mp3"), null, Ct);
        var bytes = TestData.Bytes(PartSize + 500, 4);
        var part = await f.Store.UploadPartAsync(upload, 1, new MemoryStream(bytes, 0, bytes.Length, writable: false, publiclyVisible: visibleBuffer) { Position = 500 }, Ct);
        Assert.Equal(PartSize, part.Length);

        var upload2 = await f.Store.StartMultipartUploadAsync(BlobKey.Parse("ann/too-long.mp3"), null, Ct);
        var ex = await Assert.ThrowsAsync<BlobStoreException>(() => f.Store.UploadPartAsync(upload2, 1, new MemoryStream(bytes, 0, bytes.Length, writable: false, publiclyVisible: visibleBuffer), Ct));
        Assert.Equal(BlobErrorCode.InvalidPart, ex.ErrorCode);
        Assert.DoesNotContain(f.Inner.PartBodies, p => p.Body.Length > CiphertextLayout.HeaderSize + (PartSize / CiphertextLayout.ChunkSize * CiphertextLayout.EncryptedChunkSize));

        await f.Store.CompleteMultipartUploadAsync(upload, [part], Ct);
        Assert.Equal(bytes.AsSpan(500).ToArray(), await f.Store.ReadAllBytesAsync(upload.Key, cancellationToken: Ct));
    }

    [Fact]
    public async Task A_part_retried_with_the_same_bytes_is_accepted_and_completes()
    {
        using var f = await CryptoFixture.CreateAsync(partSize: PartSize);
        var upload = await f.Store.StartMultipartUploadAsync(BlobKey.Parse("ann/retry.mp3"), null, Ct);
        var p1 = TestData.Bytes(PartSize, 1);
        var p2 = TestData.Bytes(100, 2);
        await f.Store.UploadPartAsync(upload, 1, new MemoryStream(p1), Ct);
        var again1 = await f.Store.UploadPartAsync(upload, 1, new MemoryStream(p1), Ct);
        var last = await f.Store.UploadPartAsync(upload, 2, new MemoryStream(p2), Ct);
        await f.Store.CompleteMultipartUploadAsync(upload, [again1, last], Ct);
        Assert.Equal(Concat(p1, p2), await f.Store.ReadAllBytesAsync(upload.Key, cancellationToken: Ct));
    }

    [Fact]
    public async Task A_part_sent_after_a_failed_completion_cannot_reuse_the_final_chunks_nonce()
    {
        using var f = await CryptoFixture.CreateAsync(partSize: PartSize);
        var upload = await f.Store.StartMultipartUploadAsync(BlobKey.Parse("ann/after-complete.mp3"), null, Ct);
        var p1 = TestData.Bytes(PartSize, 1);
        var p2 = TestData.Bytes(PartSize, 2);
        var parts = new[] { await f.Store.UploadPartAsync(upload, 1, new MemoryStream(p1), Ct), await f.Store.UploadPartAsync(upload, 2, new MemoryStream(p2), Ct) };

        // The completion stores the empty final chunk as part 3 (its nonce is part 3's first), then fails.
        f.Inner.FailNextCompletion = true;
        await Assert.ThrowsAsync<BlobStoreException>(() => f.Store.CompleteMultipartUploadAsync(upload, parts, Ct));
        Assert.Contains(f.Inner.PartBodies, p => p.PartNumber == 3);

        var ex = await Assert.ThrowsAsync<EncryptionException>(() => f.Store.UploadPartAsync(upload, 3, new MemoryStream(TestData.Bytes(500, 3)), Ct));
        Assert.Equal(EncryptionErrorCode.PartConflict, ex.ErrorCode);
        Assert.All(f.Inner.PartBodies.Where(p => p.PartNumber == 3), p => Assert.Equal(CiphertextLayout.TagSize, p.Body.Length));

        // Completing again still works.
        await f.Store.CompleteMultipartUploadAsync(upload, parts, Ct);
        Assert.Equal(Concat(p1, p2), await f.Store.ReadAllBytesAsync(upload.Key, cancellationToken: Ct));
    }

    [Fact]
    public async Task Completion_is_refused_when_the_final_chunks_part_number_was_sent_with_bytes()
    {
        using var f = await CryptoFixture.CreateAsync(partSize: PartSize);
        var upload = await f.Store.StartMultipartUploadAsync(BlobKey.Parse("ann/unlisted.mp3"), null, Ct);
        var p1 = await f.Store.UploadPartAsync(upload, 1, new MemoryStream(TestData.Bytes(PartSize, 1)), Ct);
        await f.Store.UploadPartAsync(upload, 2, new MemoryStream(TestData.Bytes(700, 2)), Ct);

        // Completing with part 1 only would put the empty final chunk under part 2's first nonce.
        var ex = await Assert.ThrowsAsync<EncryptionException>(() => f.Store.CompleteMultipartUploadAsync(upload, [p1], Ct));
        Assert.Equal(EncryptionErrorCode.PartConflict, ex.ErrorCode);
        Assert.DoesNotContain(f.Inner.PartBodies, p => p.PartNumber == 3 || (p.PartNumber == 2 && p.Body.Length == CiphertextLayout.TagSize));
        Assert.False(await f.Store.ExistsAsync(upload.Key, Ct));
    }

    [Fact]
    public async Task Concurrent_sends_of_one_part_number_leave_one_body_and_never_reuse_a_nonce()
    {
        using var f = await CryptoFixture.CreateAsync(partSize: PartSize);
        var upload = await f.Store.StartMultipartUploadAsync(BlobKey.Parse("ann/concurrent.mp3"), null, Ct);
        var bodies = Enumerable.Range(1, 8).Select(i => TestData.Bytes(PartSize - (i * 100), i)).ToArray();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sends = bodies.Select(async body =>
        {
            await start.Task;
            try
            {
                return (Body: body, Part: (UploadedPart?)await f.Store.UploadPartAsync(upload, 1, new MemoryStream(body), Ct));
            }
            catch (EncryptionException ex) when (ex.ErrorCode == EncryptionErrorCode.PartConflict)
            {
                return (Body: body, Part: null);
            }
        }).ToArray();
        start.SetResult();
        var results = await Task.WhenAll(sends);

        var winner = Assert.Single(results, r => r.Part is not null);
        AssertNoKeystreamReuse(f.Inner, 1, bodies);
        await f.Store.CompleteMultipartUploadAsync(upload, [winner.Part!.Value], Ct);
        Assert.Equal(winner.Body, await f.Store.ReadAllBytesAsync(upload.Key, cancellationToken: Ct));
    }

    [Theory]
    [InlineData("part size")]
    [InlineData("key version")]
    [InlineData("start time")]
    [InlineData("truncated")]
    [InlineData("other blob")]
    [InlineData("other inner upload")]
    public async Task A_forged_or_moved_upload_id_is_refused_before_anything_is_encrypted(string forgery)
    {
        using var f = await CryptoFixture.CreateAsync(partSize: 5 * 1024 * 1024);
        var a = await f.Store.StartMultipartUploadAsync(BlobKey.Parse("ann/a.mp3"), null, Ct);
        var b = await f.Store.StartMultipartUploadAsync(BlobKey.Parse("ann/b.mp3"), null, Ct);
        var forged = forgery switch
        {
            "part size" => Patch(a, 1, 16 * 1024),
            "key version" => Patch(a, 5, 2),
            "start time" => Patch(a, 13, 12345),
            "truncated" => new MultipartUpload(a.Key, a.UploadId[..^4]),
            "other blob" => new MultipartUpload(b.Key, a.UploadId),
            _ => new MultipartUpload(a.Key, b.UploadId[..b.UploadId.LastIndexOf('.')] + a.UploadId[a.UploadId.LastIndexOf('.')..]),
        };
        int sent = f.Inner.PartBodies.Count;

        var ex = await Assert.ThrowsAsync<EncryptionException>(() => f.Store.UploadPartAsync(forged, 1, new MemoryStream(TestData.Bytes(16 * 1024)), Ct));
        Assert.Equal(EncryptionErrorCode.UploadIdInvalid, ex.ErrorCode);
        Assert.Equal(BlobErrorCode.InvalidArgument, ((BlobStoreException)ex).ErrorCode);
        Assert.Equal(sent, f.Inner.PartBodies.Count);
        Assert.Equal(EncryptionErrorCode.UploadIdInvalid, (await Assert.ThrowsAsync<EncryptionException>(() => f.Store.CompleteMultipartUploadAsync(forged, [new UploadedPart(1, new ETag("x"), 1)], Ct))).ErrorCode);
        var abort = await Assert.ThrowsAsync<BlobNotFoundException>(() => f.Store.AbortMultipartUploadAsync(forged, Ct));
        Assert.Equal(BlobErrorCode.UploadNotFound, abort.ErrorCode);
        Assert.Equal(EncryptionErrorCode.UploadIdInvalid, Assert.IsType<EncryptionException>(abort.InnerException).ErrorCode);

        // Nothing was aborted: the real upload still completes.
        var part = await f.Store.UploadPartAsync(a, 1, new MemoryStream(TestData.Bytes(1000)), Ct);
        await f.Store.CompleteMultipartUploadAsync(a, [part], Ct);
        Assert.Equal(TestData.Bytes(1000), await f.Store.ReadAllBytesAsync(a.Key, null, 1 << 20, Ct));
    }

    [Fact]
    public async Task Parts_and_completion_of_an_upload_older_than_the_maximum_age_are_refused()
    {
        var clock = new ManualTimeProvider();
        using var f = await CryptoFixture.CreateAsync(partSize: PartSize, time: clock);
        var upload = await f.Store.StartMultipartUploadAsync(BlobKey.Parse("ann/old.mp3"), null, Ct);
        var part = await f.Store.UploadPartAsync(upload, 1, new MemoryStream(TestData.Bytes(10)), Ct);
        clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromSeconds(1));

        Assert.Equal(EncryptionErrorCode.UploadIdInvalid, (await Assert.ThrowsAsync<EncryptionException>(() => f.Store.UploadPartAsync(upload, 2, new MemoryStream(TestData.Bytes(10)), Ct))).ErrorCode);
        Assert.Equal(EncryptionErrorCode.UploadIdInvalid, (await Assert.ThrowsAsync<EncryptionException>(() => f.Store.CompleteMultipartUploadAsync(upload, [part], Ct))).ErrorCode);
        await f.Store.AbortMultipartUploadAsync(upload, Ct);
    }

    /// <summary>Rewrites a big-endian integer in the upload id's state (the layout is in docs/encryption-format.md).</summary>
    private static MultipartUpload Patch(MultipartUpload upload, int offset, int value)
    {
        int dot = upload.UploadId.LastIndexOf('.');
        var state = Base64Url.DecodeFromChars(upload.UploadId.AsSpan(dot + 1));
        BinaryPrimitives.WriteInt32BigEndian(state.AsSpan(offset), value);

        return new MultipartUpload(upload.Key, upload.UploadId[..(dot + 1)] + Base64Url.EncodeToString(state));
    }

    /// <summary>
    /// For every two ciphertexts sent for <paramref name="partNumber"/> that differ, checks that their XOR is not the XOR
    /// of any two of the plaintexts: a shared keystream would give exactly that.
    /// </summary>
    internal static void AssertNoKeystreamReuse(CountingBlobStore inner, int partNumber, byte[][] plaintexts)
    {
        int skip = partNumber == 1 ? CiphertextLayout.HeaderSize : 0;
        var sent = inner.PartBodies.Where(p => p.PartNumber == partNumber).Select(p => p.Body).ToArray();
        for (int i = 0; i < sent.Length; i++)
        {
            for (int j = i + 1; j < sent.Length; j++)
            {
                if (sent[i].AsSpan().SequenceEqual(sent[j]))
                {
                    continue;
                }

                int n = Math.Min(Math.Min(sent[i].Length, sent[j].Length) - skip, CiphertextLayout.ChunkSize);
                var ctXor = Xor(sent[i].AsSpan(skip, n), sent[j].AsSpan(skip, n));
                foreach (var p in plaintexts)
                {
                    foreach (var q in plaintexts)
                    {
                        if (!ReferenceEquals(p, q) && Math.Min(p.Length, q.Length) >= n)
                        {
                            Assert.False(ctXor.AsSpan().SequenceEqual(Xor(p.AsSpan(0, n), q.AsSpan(0, n))), $"Two ciphertexts of part {partNumber} share a keystream: ct0 ⊕ ct1 = pt0 ⊕ pt1.");
                        }
                    }
                }
            }
        }
    }

    private static byte[] Concat(byte[] a, byte[] b) => [.. a, .. b];

    private static byte[] Xor(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var result = new byte[a.Length];
        for (int i = 0; i < a.Length; i++)
        {
            result[i] = (byte)(a[i] ^ b[i]);
        }

        return result;
    }
}
