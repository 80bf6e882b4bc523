using MusicLocker.Storage.Azure;
using MusicLocker.Testing.Servers;

namespace MusicLocker.Storage.Azure.Tests;

/// <summary>Stores over fresh containers of an Azurite instance (one container per store, so tests never see each other's blobs).</summary>
internal static class AzureTestStores
{
    public static string NewContainerName() => "t" + Guid.NewGuid().ToString("N");

    public static AzureBlobStoreOptions Options(AzuriteServer server, string container, HttpMessageHandler? handler = null, int maxRetries = 5) => new()
    {
        MaxRetries = maxRetries,
        ServiceUri = server.BlobEndpoint,
        AccountName = AzuriteServer.AccountName,
        AccountKey = AzuriteServer.AccountKey,
        ContainerName = container,
        BlockSize = BlobStoreLimits.MinPartSize,
        HttpHandler = handler,
        RetryDelay = TimeSpan.FromMilliseconds(50),
        MaxRetryDelay = TimeSpan.FromSeconds(1),
    };

    public static async Task<AzureBlobStore> CreateAsync(AzuriteServer server, string? container = null, HttpMessageHandler? handler = null, int maxRetries = 5)
    {
        var store = new AzureBlobStore(Options(server, container ?? NewContainerName(), handler, maxRetries));
        await store.CreateContainerIfNotExistsAsync(TestContext.Current.CancellationToken);
        return store;
    }
}
