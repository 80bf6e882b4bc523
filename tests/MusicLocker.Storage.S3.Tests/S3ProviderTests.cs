using MusicLocker.Storage.S3;
using MusicLocker.Testing;
using MusicLocker.Testing.Servers;

namespace MusicLocker.Storage.S3.Tests;

/// <summary>What the S3 provider adds around the contract: error mapping, settings, and the state a multipart upload carries.</summary>
public sealed class S3ProviderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Wrong_credentials_are_access_denied_not_a_missing_blob()
    {
        var server = await S3rverServer.GetSharedAsync();
        string bucket = await S3TestStores.CreateBucketAsync(server);
        var options = S3TestStores.Options(server, bucket);
        options.AccessKeyId = "NOT-A-KNOWN-KEY";
        using var store = new S3BlobStore(options);
        var ex = await Assert.ThrowsAnyAsync<BlobStoreException>(() => store.PutBytesAsync(BlobKey.Parse("k"), new byte[] { 1 }, cancellationToken: Ct));
        Assert.Equal(BlobErrorCode.AccessDenied, ex.ErrorCode);
        Assert.Equal("k", ex.Key);
    }

    [Fact]
    public async Task A_missing_bucket_is_reported_as_a_configuration_error()
    {
        var server = await S3rverServer.GetSharedAsync();
        using var store = new S3BlobStore(S3TestStores.Options(server, "no-such-bucket-" + Guid.NewGuid().ToString("N")[..8]));
        var ex = await Assert.ThrowsAnyAsync<BlobStoreException>(() => store.PutBytesAsync(BlobKey.Parse("k"), new byte[] { 1 }, cancellationToken: Ct));
        Assert.Equal(BlobErrorCode.InvalidArgument, ex.ErrorCode);
        Assert.Contains("bucket", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task An_unreachable_endpoint_is_unavailable()
    {
        int port = ServerProcess.FreePort();
        using var store = new S3BlobStore(new S3BlobStoreOptions
        {
            BucketName = "b",
            ServiceUri = new Uri($"http://127.0.0.1:{port}"),
            ForcePathStyle = true,
            AccessKeyId = "a",
            SecretAccessKey = "s",
            MaxRetries = 0,
        });
        var ex = await Assert.ThrowsAsync<BlobStoreException>(() => store.GetPropertiesAsync(BlobKey.Parse("k"), Ct));
        Assert.Equal(BlobErrorCode.Unavailable, ex.ErrorCode);
        Assert.True(ex.IsTransient);
    }

    [Fact]
    public async Task Completion_conditions_travel_in_the_upload_id_to_a_new_instance()
    {
        var server = await S3rverServer.GetSharedAsync();
        string bucket = await S3TestStores.CreateBucketAsync(server);
        using var store = new S3BlobStore(S3TestStores.Options(server, bucket));
        var v1 = await store.PutBytesAsync(BlobKey.Parse("cond"), new byte[] { 1 }, cancellationToken: Ct);
        var upload = await store.StartMultipartUploadAsync(BlobKey.Parse("cond"), new PutBlobOptions { Conditions = BlobRequestConditions.Matching(v1.ETag), ContentType = "audio/flac" }, Ct);
        Assert.EndsWith("|if-match=" + v1.ETag.Value, upload.UploadId, StringComparison.Ordinal);

        using var second = new S3BlobStore(S3TestStores.Options(server, bucket));
        var resumed = new MultipartUpload(upload.Key, upload.UploadId);
        var part = await second.UploadPartAsync(resumed, 1, new MemoryStream(TestData.Bytes(10)), Ct);
        var done = await second.CompleteMultipartUploadAsync(resumed, [part], Ct);
        Assert.Equal("audio/flac", done.ContentType);
        Assert.Equal(TestData.Bytes(10), await second.ReadAllBytesAsync(BlobKey.Parse("cond"), cancellationToken: Ct));

        var create = await store.StartMultipartUploadAsync(BlobKey.Parse("cond2"), new PutBlobOptions { Conditions = BlobRequestConditions.CreateOnly }, Ct);
        Assert.EndsWith("|if-none-match=*", create.UploadId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_part_from_a_stream_that_cannot_seek_is_spooled_not_buffered()
    {
        var server = await S3rverServer.GetSharedAsync();
        using var store = await S3TestStores.CreateAsync(server);
        var upload = await store.StartMultipartUploadAsync(BlobKey.Parse("spool"), null, Ct);
        using var source = new GeneratedStream(BlobStoreLimits.MinPartSize + 3, seed: 7);
        var part = await store.UploadPartAsync(upload, 1, source, Ct);
        Assert.Equal(BlobStoreLimits.MinPartSize + 3, part.Length);
        await store.CompleteMultipartUploadAsync(upload, [part], Ct);
        await using var download = await store.OpenReadAsync(BlobKey.Parse("spool"), null, Ct);
        Assert.Equal(source.Sha256, await TestData.Sha256Async(download.Content, Ct));
    }

    [Fact]
    public async Task Without_keys_in_the_options_the_standard_aws_credential_chain_is_used()
    {
        var server = await S3rverServer.GetSharedAsync();
        string bucket = await S3TestStores.CreateBucketAsync(server);
        var options = S3TestStores.Options(server, bucket);
        options.AccessKeyId = null;
        options.SecretAccessKey = null;

        // The chain's first source is the environment; only this test reads these variables.
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", S3rverServer.AccessKey);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", S3rverServer.SecretKey);
        try
        {
            using var store = new S3BlobStore(options);
            await store.PutBytesAsync(BlobKey.Parse("chain"), new byte[] { 4, 2 }, cancellationToken: Ct);
            Assert.Equal(new byte[] { 4, 2 }, await store.ReadAllBytesAsync(BlobKey.Parse("chain"), cancellationToken: Ct));
        }
        finally
        {
            Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", null);
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", null);
        }
    }

    [Fact]
    public void Options_are_validated_when_the_store_is_made_and_name_the_option()
    {
        Assert.Equal("options.BucketName", Assert.Throws<ArgumentException>(() => new S3BlobStore(new S3BlobStoreOptions())).ParamName);
        Assert.Equal("options.PartSize", Assert.Throws<ArgumentOutOfRangeException>(() => new S3BlobStore(new S3BlobStoreOptions { BucketName = "b", PartSize = 1024 })).ParamName);
        Assert.Equal("options.AccessKeyId", Assert.Throws<ArgumentException>(() => new S3BlobStore(new S3BlobStoreOptions { BucketName = "b", AccessKeyId = "a" })).ParamName);
        Assert.Equal("options.MaxConcurrency", Assert.Throws<ArgumentOutOfRangeException>(() => new S3BlobStore(new S3BlobStoreOptions { BucketName = "b", MaxConcurrency = 0 })).ParamName);
        Assert.Equal("options.NetworkTimeout", Assert.Throws<ArgumentOutOfRangeException>(() => new S3BlobStore(new S3BlobStoreOptions { BucketName = "b", NetworkTimeout = TimeSpan.Zero })).ParamName);
        Assert.Equal("options.CopyPartSize", Assert.Throws<ArgumentOutOfRangeException>(() => new S3BlobStore(new S3BlobStoreOptions { BucketName = "b", CopyPartSize = 1024 })).ParamName);
        Assert.Equal("options.MultipartCopyThreshold", Assert.Throws<ArgumentOutOfRangeException>(() => new S3BlobStore(new S3BlobStoreOptions { BucketName = "b", MultipartCopyThreshold = 6L << 30 })).ParamName);
        Assert.Equal("options.ServiceUri", Assert.Throws<ArgumentException>(() => new S3BlobStore(new S3BlobStoreOptions { BucketName = "b", ServiceUri = new Uri("ftp://x") })).ParamName);
    }
}
