using MusicLocker.Testing;
using MusicLocker.Testing.Servers;
using MusicLocker.Testing.Storage;

namespace MusicLocker.Storage.S3.Tests;

/// <summary>Counters are process-wide (a retry injected by another test would count here), so these tests run alone.</summary>
[CollectionDefinition(nameof(S3TelemetryCollection), DisableParallelization = true)]
public sealed class S3TelemetryCollection;

/// <summary>The shared telemetry facts on s3rver, and the SDK's retries counted.</summary>
[Collection(nameof(S3TelemetryCollection))]
public sealed class S3TelemetryTests : ProviderTelemetryTests
{
    protected override string StoreName => S3BlobStore.StoreName;

    protected override async Task<IBlobStore> CreateStoreAsync()
    {
        var server = await S3rverServer.GetSharedAsync();
        return new S3BlobStore(S3TestStores.Options(server, await S3TestStores.CreateBucketAsync(server)));
    }

    [Fact]
    public async Task The_sdks_retries_are_counted_under_the_call_that_sent_them()
    {
        var server = await S3rverServer.GetSharedAsync();
        string bucket = await S3TestStores.CreateBucketAsync(server);
        string name = "telemetry/" + Guid.NewGuid().ToString("N");
        int injected = 0;
        using var handler = new S3ClientAndCopyTests.FailOnceHandler(r => r.Method == HttpMethod.Put && r.RequestUri!.AbsolutePath.EndsWith(name, StringComparison.Ordinal) && Interlocked.Exchange(ref injected, 1) == 0);
        var options = S3TestStores.Options(server, bucket);
        options.HttpHandler = handler;
        using var store = new S3BlobStore(options);

        await store.PutBytesAsync(BlobKey.Parse(name), TestData.Bytes(1000, 8), cancellationToken: Ct);

        Assert.Equal(1, injected);
        Assert.Equal(1, Telemetry.Sum("musiclocker.storage.retries", "s3", "put"));
        Assert.Equal(1000L, Assert.Single(Telemetry.SpansOf("storage.put", name)).GetTagItem("musiclocker.bytes"));
    }
}
