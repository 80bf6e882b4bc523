using System.Net;
using MusicLocker.Testing;
using MusicLocker.Testing.Storage;

namespace MusicLocker.Storage.Azure.Tests;

/// <summary>Counters are process-wide (the retry tests inject 503s on puts), so these tests run alone.</summary>
[CollectionDefinition(nameof(AzureTelemetryCollection), DisableParallelization = true)]
public sealed class AzureTelemetryCollection;

/// <summary>The shared telemetry facts on Azurite, and the SDK's retries counted.</summary>
[Collection(nameof(AzureTelemetryCollection))]
public sealed class AzureTelemetryTests : ProviderTelemetryTests
{
    protected override string StoreName => AzureBlobStore.StoreName;

    protected override async Task<IBlobStore> CreateStoreAsync()
    {
        var (server, container) = await AzureProviderTests.ContainerAsync();
        return new AzureBlobStore(AzureTestStores.Options(server, container));
    }

    [Fact]
    public async Task The_sdks_retries_are_counted_under_the_call_that_sent_them()
    {
        var (server, container) = await AzureProviderTests.ContainerAsync();
        string name = "telemetry/" + Guid.NewGuid().ToString("N");
        int injected = 0;
        var handler = new FaultInjectingHandler((request, _, _) => Task.FromResult(
            request.Method == HttpMethod.Put && request.RequestUri!.AbsolutePath.EndsWith(name, StringComparison.Ordinal) && Interlocked.Exchange(ref injected, 1) == 0
                ? FaultInjectingHandler.Status(HttpStatusCode.ServiceUnavailable)
                : null));
        using var store = new AzureBlobStore(AzureTestStores.Options(server, container, handler));

        await store.PutBytesAsync(BlobKey.Parse(name), TestData.Bytes(1000, 8), cancellationToken: Ct);

        Assert.Equal(1, injected);
        Assert.Equal(1, Telemetry.Sum("musiclocker.storage.retries", "azure", "put"));
        Assert.Equal(1000L, Assert.Single(Telemetry.SpansOf("storage.put", name)).GetTagItem("musiclocker.bytes"));
    }
}
