using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using MusicLocker.Storage.Azure;
using MusicLocker.Testing.Servers;

namespace MusicLocker.Storage.Azure.Tests;

/// <summary>Stores over fresh containers of an Azurite instance (one container per store, so tests never see each other's blobs).</summary>
internal static class AzureTestStores
{
    /// <summary>
    /// Azurite 3.37.0 refuses the SDK's default service version (2026-10-06) with "API version not supported"; the tests
    /// pin the newest version it accepts rather than start it with --skipApiVersionCheck, so they run what an app would.
    /// </summary>
    public const BlobClientOptions.ServiceVersion AzuriteVersion = BlobClientOptions.ServiceVersion.V2025_01_05;

    public static string NewContainerName() => "t" + Guid.NewGuid().ToString("N");

    public static AzureBlobStoreOptions Options(AzuriteServer server, string container, HttpMessageHandler? handler = null, int maxRetries = 5) => new()
    {
        MaxRetries = maxRetries,
        ServiceUri = server.BlobEndpoint,
        AccountName = AzuriteServer.AccountName,
        AccountKey = AzuriteServer.AccountKey,
        ContainerName = container,
        PartSize = BlobStoreLimits.MinPartSize,
        ServiceVersion = AzuriteVersion,
        Transport = handler is null ? null : new HttpClientTransport(handler),
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
