using System.Security.Cryptography;
using MusicLocker.Testing;
using MusicLocker.Testing.Servers;

namespace MusicLocker.Storage.Azure.Tests;

/// <summary>Crashes of Azurite (killed by pid) in the middle of a multipart upload, and the resume from the service's own state.</summary>
public sealed class AzureFaultTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Server_killed_mid_block_restarts_on_its_data_and_a_new_store_resumes_from_listed_parts_byte_identical()
    {
        TestEnvironment.RequireServer(NodeModules.HasNode, "node and npm are needed to run Azurite");
        await using var server = await AzuriteServer.StartAsync(cancellationToken: Ct);
        string container = AzureTestStores.NewContainerName();
        var key = BlobKey.Parse("crash/album/track01.m4a");
        var parts = new[] { TestData.Bytes(BlobStoreLimits.MinPartSize, 1), TestData.Bytes(BlobStoreLimits.MinPartSize, 2), TestData.Bytes(1_234_567, 3) };
        byte[] expected = SHA256.HashData(parts.SelectMany(p => p).ToArray());

        // The app keeps only the key and the upload id; the parts are found again with ListPartsAsync.
        string uploadId;
        using (var first = await AzureTestStores.CreateAsync(server, container, maxRetries: 1))
        {
            var upload = await first.StartMultipartUploadAsync(key, new PutBlobOptions { ContentType = "audio/mp4", Metadata = new Dictionary<string, string> { ["track-id"] = "7" } }, Ct);
            uploadId = upload.UploadId;
            await first.UploadPartAsync(upload, 1, new MemoryStream(parts[0]), Ct);

            // Azurite saves its metadata database (LokiJS) every few seconds: killed sooner, it forgets even the container.
            // The crash under test is the one mid-part, so the test waits until part 1's block is saved: the blob's name
            // is then in two block records (the upload's start marker and part 1).
            await server.WaitUntilSavedAsync(key.Value, occurrences: 2, cancellationToken: Ct);
            using var killing = new ServerKillingStream(parts[1], killAfter: parts[1].Length / 2, server);
            var ex = await Assert.ThrowsAsync<BlobStoreException>(() => first.UploadPartAsync(upload, 2, killing, Ct));
            Assert.True(killing.Killed);
            Assert.Equal(BlobErrorCode.Unavailable, ex.ErrorCode);
        }

        Assert.Null(server.ProcessId);
        await server.RestartAsync(Ct);

        using (var second = new AzureBlobStore(AzureTestStores.Options(server, container)))
        {
            var resumed = new MultipartUpload(key, uploadId);
            var listed = await second.ListPartsAsync(resumed, Ct);
            Assert.Equal(1, Assert.Single(listed).PartNumber);
            Assert.Equal(parts[0].Length, listed[0].Length);

            var all = new List<UploadedPart>(listed);
            for (int number = 2; number <= parts.Length; number++)
            {
                all.Add(await second.UploadPartAsync(resumed, number, new MemoryStream(parts[number - 1]), Ct));
            }

            Assert.Equal(all, await second.ListPartsAsync(resumed, Ct));
            var props = await second.CompleteMultipartUploadAsync(resumed, all, Ct);
            Assert.Equal(parts.Sum(p => (long)p.Length), props.Length);

            await using var download = await second.OpenReadAsync(key, null, Ct);
            Assert.Equal(expected, await TestData.Sha256Async(download.Content, Ct));
            Assert.Equal("audio/mp4", download.Properties.ContentType);
            Assert.Equal("7", download.Properties.Metadata["track-id"]);
            await Assert.ThrowsAsync<BlobNotFoundException>(() => second.ListPartsAsync(resumed, Ct));
        }
    }
}
