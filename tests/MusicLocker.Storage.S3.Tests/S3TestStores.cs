using Amazon.Runtime;
using Amazon.S3;
using MusicLocker.Storage.S3;
using MusicLocker.Testing.Servers;

namespace MusicLocker.Storage.S3.Tests;

/// <summary>Stores over fresh buckets of an s3rver instance (one bucket per store, so tests never see each other's blobs).</summary>
internal static class S3TestStores
{
    private static int _counter;

    public static S3BlobStoreOptions Options(S3rverServer server, string bucket, int maxRetries = 3) => new()
    {
        MaxRetries = maxRetries,
        BucketName = bucket,
        ServiceUri = server.ServiceUrl,
        ForcePathStyle = true,
        AccessKeyId = S3rverServer.AccessKey,
        SecretAccessKey = S3rverServer.SecretKey,
        PartSize = BlobStoreLimits.MinPartSize,
    };

    public static async Task<string> CreateBucketAsync(S3rverServer server)
    {
        // A bucket name is at most 63 characters; 40 keep it short. A short process id makes the name shorter than that.
        string name = $"t{Environment.ProcessId}-{Interlocked.Increment(ref _counter)}-{Guid.NewGuid():N}";
        string bucket = name[..Math.Min(40, name.Length)].ToLowerInvariant().TrimEnd('-');
        using var client = AdminClient(server);
        await client.PutBucketAsync(bucket);
        return bucket;
    }

    public static async Task<S3BlobStore> CreateAsync(S3rverServer server)
    {
        string bucket = await CreateBucketAsync(server);
        return new S3BlobStore(Options(server, bucket));
    }

    /// <summary>
    /// A client of the test's own, as an app would make it; like the store's own client it sends x-amz-copy-source with
    /// literal slashes, which s3rver needs (it refuses the SDK's %2F with NoSuchBucket).
    /// </summary>
    public static AmazonS3Client AdminClient(S3rverServer server)
    {
        var client = new AmazonS3Client(
            new BasicAWSCredentials(S3rverServer.AccessKey, S3rverServer.SecretKey),
            new AmazonS3Config
            {
                ServiceURL = server.ServiceUrl.ToString(),
                ForcePathStyle = true,
                AuthenticationRegion = "us-east-1",
                RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
                ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            });
        client.BeforeRequestEvent += static (_, e) =>
        {
            if (e is WebServiceRequestEventArgs { Headers: { } headers } && headers.TryGetValue("x-amz-copy-source", out var source))
            {
                headers["x-amz-copy-source"] = source.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
            }
        };
        return client;
    }
}
