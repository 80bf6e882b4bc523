using MusicLocker.Crypto.Format;
using MusicLocker.Storage;
using MusicLocker.Testing;

namespace MusicLocker.Crypto.Tests;

/// <summary>Encrypted multipart uploads: chunk-aligned parts, identical ciphertext on retry, any upload order.</summary>
public sealed class MultipartTests
{
    private const int PartSize = 4 * CiphertextLayout.ChunkSize;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_retried_part_resends_identical_ciphertext()
    {
        using var f = await CryptoFixture.CreateAsync(partSize: PartSize);
        var upload = await f.Store.StartMultipartUploadAsync(BlobKey.Parse("ann/mp.mp3"), null, Ct);
        var p1 = TestData.Bytes(PartSize, 1);
        var p2 = TestData.Bytes(PartSize, 2);
        await f.Store.UploadPartAsync(upload, 1, new MemoryStream(p1), Ct);
        await f.Store.UploadPartAsync(upload, 2, new MemoryStream(p2), Ct);

        // Retried from another instance after a restart: same bytes in, same bytes out.
        var resumed = CryptoFixture.NewStore(f.Inner, f.NewKeyManager(), PartSize);
        var again2 = await resumed.UploadPartAsync(new MultipartUpload(upload.Key, upload.UploadId), 2, new MemoryStream(p2), Ct);
        var again1 = await resumed.UploadPartAsync(upload, 1, new MemoryStream(p1), Ct);
        var hashes = f.Inner.PartHashes;
        Assert.Equal(hashes[0], hashes[3]);
        Assert.Equal(hashes[1], hashes[2]);
        Assert.NotEqual(hashes[0].Sha256, hashes[1].Sha256);

        var p3 = TestData.Bytes(1234, 3);
        var part3 = await resumed.UploadPartAsync(upload, 3, new MemoryStream(p3), Ct);
        var props = await resumed.CompleteMultipartUploadAsync(upload, [again1, again2, part3], Ct);
        Assert.Equal((2 * PartSize) + 1234, props.Length);
        byte[] expected = [.. p1, .. p2, .. p3];
        Assert.Equal(expected, await f.Store.ReadAllBytesAsync(upload.Key, cancellationToken: Ct));
        Assert.Equal(CiphertextLayout.CiphertextLength(props.Length), (await f.Inner.GetPropertiesAsync(upload.Key, Ct)).Length);
    }

    [Fact]
    public async Task Parts_uploaded_in_any_order_join_into_the_object()
    {
        using var f = await CryptoFixture.CreateAsync(partSize: PartSize);
        var key = BlobKey.Parse("ann/order.mp3");
        var upload = await f.Store.StartMultipartUploadAsync(key, new PutBlobOptions { ContentType = "audio/mpeg" }, Ct);
        var bytes = new[] { TestData.Bytes(PartSize, 1), TestData.Bytes(PartSize, 2), TestData.Bytes(PartSize, 3), TestData.Bytes(10, 4) };
        var parts = await Task.WhenAll(new[] { 3, 1, 4, 2 }.Select(n => f.Store.UploadPartAsync(upload, n, new MemoryStream(bytes[n - 1]), Ct)));
        var ordered = parts.OrderBy(p => p.PartNumber).ToArray();
        Assert.Equal(ordered, await f.Store.ListPartsAsync(upload, Ct));
        await f.Store.CompleteMultipartUploadAsync(upload, ordered, Ct);
        byte[] whole = [.. bytes[0], .. bytes[1], .. bytes[2], .. bytes[3]];
        Assert.Equal(whole, await f.Store.ReadAllBytesAsync(key, cancellationToken: Ct));
        Assert.Equal(whole.AsSpan(PartSize - 5, 20).ToArray(), await f.Store.ReadAllBytesAsync(key, new ReadBlobOptions { Range = new ByteRange(PartSize - 5, 20) }, cancellationToken: Ct));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task A_last_part_of_whole_chunks_gets_the_empty_final_chunk_on_completion(int partCount)
    {
        using var f = await CryptoFixture.CreateAsync(partSize: PartSize);
        var key = BlobKey.Parse("ann/even.mp3");
        var upload = await f.Store.StartMultipartUploadAsync(key, null, Ct);
        var parts = new List<UploadedPart>();
        var whole = new List<byte>();
        for (int n = 1; n <= partCount; n++)
        {
            var bytes = TestData.Bytes(PartSize, n);
            whole.AddRange(bytes);
            parts.Add(await f.Store.UploadPartAsync(upload, n, new MemoryStream(bytes), Ct));
        }

        var props = await f.Store.CompleteMultipartUploadAsync(upload, parts, Ct);
        Assert.Equal(partCount * PartSize, props.Length);
        Assert.Equal(whole.ToArray(), await f.Store.ReadAllBytesAsync(key, cancellationToken: Ct));
        Assert.Equal(whole.TakeLast(3).ToArray(), await f.Store.ReadAllBytesAsync(key, new ReadBlobOptions { Range = ByteRange.Suffix(3) }, cancellationToken: Ct));
    }

    [Fact]
    public async Task A_short_part_before_the_last_is_refused_as_an_invalid_part()
    {
        using var f = await CryptoFixture.CreateAsync(partSize: PartSize);
        var upload = await f.Store.StartMultipartUploadAsync(BlobKey.Parse("ann/short.mp3"), null, Ct);
        var p1 = await f.Store.UploadPartAsync(upload, 1, new MemoryStream(TestData.Bytes(1000, 1)), Ct);
        var p2 = await f.Store.UploadPartAsync(upload, 2, new MemoryStream(TestData.Bytes(1000, 2)), Ct);
        var ex = await Assert.ThrowsAsync<BlobStoreException>(() => f.Store.CompleteMultipartUploadAsync(upload, [p1, p2], Ct));
        Assert.Equal(BlobErrorCode.InvalidPart, ex.ErrorCode);
        Assert.Contains("part size", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_part_longer_than_the_part_size_is_refused()
    {
        using var f = await CryptoFixture.CreateAsync(partSize: PartSize);
        var upload = await f.Store.StartMultipartUploadAsync(BlobKey.Parse("ann/long.mp3"), null, Ct);
        // A caller's mistake, not tampering: InvalidPart, not an integrity error.
        var ex = await Assert.ThrowsAsync<BlobStoreException>(() => f.Store.UploadPartAsync(upload, 1, new MemoryStream(TestData.Bytes(PartSize + 1)), Ct));
        Assert.Equal(BlobErrorCode.InvalidPart, ex.ErrorCode);
    }

    [Fact]
    public async Task A_part_size_that_is_not_a_multiple_of_16_KiB_is_refused()
    {
        using var f = await CryptoFixture.CreateAsync();
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => CryptoFixture.NewStore(f.Inner, f.Keys, 5_000_000));
        Assert.Equal("options.PartSize", ex.ParamName);
    }
}
