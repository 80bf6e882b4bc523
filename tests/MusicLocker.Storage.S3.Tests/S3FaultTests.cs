using System.Security.Cryptography;
using MusicLocker.Testing;
using MusicLocker.Testing.Servers;

namespace MusicLocker.Storage.S3.Tests;

/// <summary>Crashes of the S3 server (s3rver, killed by pid) in the middle of a multipart upload, and the resume after.</summary>
public sealed class S3FaultTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Server_killed_mid_part_restarts_on_its_data_and_a_new_store_completes_the_upload_byte_identical()
    {
        TestEnvironment.RequireServer(NodeModules.HasNode, "node and npm are needed to run s3rver");
        await using var server = await S3rverServer.StartAsync(cancellationToken: Ct);
        string bucket = await S3TestStores.CreateBucketAsync(server);
        var key = BlobKey.Parse("crash/album/track01.mp3");
        var parts = new[] { TestData.Bytes(BlobStoreLimits.MinPartSize, 1), TestData.Bytes(BlobStoreLimits.MinPartSize, 2), TestData.Bytes(1_234_567, 3) };
        byte[] expected = SHA256.HashData(parts.SelectMany(p => p).ToArray());

        // What the app persists next to the key: the upload id and the parts stored so far (s3rver has no ListParts).
        MultipartUpload upload;
        var stored = new List<UploadedPart>();
        using (var first = new S3BlobStore(S3TestStores.Options(server, bucket, maxRetries: 0)))
        {
            upload = await first.StartMultipartUploadAsync(key, new PutBlobOptions { ContentType = "audio/mpeg" }, Ct);
            stored.Add(await first.UploadPartAsync(upload, 1, new MemoryStream(parts[0]), Ct));

            using var killing = new ServerKillingStream(parts[1], killAfter: parts[1].Length / 2, server);
            var ex = await Assert.ThrowsAsync<BlobStoreException>(() => first.UploadPartAsync(upload, 2, killing, Ct));
            Assert.True(killing.Killed);
            Assert.Equal(BlobErrorCode.Unavailable, ex.ErrorCode);
            Assert.True(ex.IsTransient);
        }

        Assert.Null(server.ProcessId);
        await server.RestartAsync(Ct);

        using (var second = new S3BlobStore(S3TestStores.Options(server, bucket)))
        {
            var resumed = new MultipartUpload(key, upload.UploadId);
            stored.Add(await second.UploadPartAsync(resumed, 2, new MemoryStream(parts[1]), Ct));
            stored.Add(await second.UploadPartAsync(resumed, 3, new MemoryStream(parts[2]), Ct));
            var props = await second.CompleteMultipartUploadAsync(resumed, stored, Ct);
            Assert.Equal(parts.Sum(p => (long)p.Length), props.Length);
            Assert.Equal("audio/mpeg", props.ContentType);

            await using var download = await second.OpenReadAsync(key, null, Ct);
            Assert.Equal(expected, await TestData.Sha256Async(download.Content, Ct));
        }
    }

    [Fact]
    public async Task A_stopped_server_is_reported_as_unavailable_not_as_a_missing_blob()
    {
        TestEnvironment.RequireServer(NodeModules.HasNode, "node and npm are needed to run s3rver");
        await using var server = await S3rverServer.StartAsync(cancellationToken: Ct);
        string bucket = await S3TestStores.CreateBucketAsync(server);
        using var store = new S3BlobStore(S3TestStores.Options(server, bucket, maxRetries: 1));
        await store.PutBytesAsync(BlobKey.Parse("k"), new byte[] { 1 }, cancellationToken: Ct);
        await server.KillAsync();

        var read = await Assert.ThrowsAsync<BlobStoreException>(() => store.GetPropertiesAsync(BlobKey.Parse("k"), Ct));
        Assert.Equal(BlobErrorCode.Unavailable, read.ErrorCode);
        Assert.Equal("k", read.Key);
        var write = await Assert.ThrowsAsync<BlobStoreException>(() => store.PutBytesAsync(BlobKey.Parse("k"), new byte[] { 2 }, cancellationToken: Ct));
        Assert.Equal(BlobErrorCode.Unavailable, write.ErrorCode);
    }
}
