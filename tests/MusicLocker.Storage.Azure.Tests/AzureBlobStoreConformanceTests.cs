using MusicLocker.Testing.Servers;
using MusicLocker.Testing.Storage;

namespace MusicLocker.Storage.Azure.Tests;

/// <summary>
/// The suite's 200 MB test measures the process's live managed heap while it streams: a test class running beside it
/// (a part buffer, a fixture's bytes) would count as this store's, so the suite runs alone.
/// </summary>
[CollectionDefinition(nameof(AzureConformanceCollection), DisableParallelization = true)]
public sealed class AzureConformanceCollection;

/// <summary>
/// The storage conformance suite against <see cref="AzureBlobStore"/> on Azurite (one container per test). No gaps are
/// declared: Azurite's one gap the provider meets, suffix ranges, is closed in the provider.
/// </summary>
[Collection(nameof(AzureConformanceCollection))]
public sealed class AzureBlobStoreConformanceTests : BlobStoreConformanceTests
{
    private AzuriteServer? _server;
    private string? _container;

    protected override BlobStoreGaps Gaps => AzuriteServer.DeclaredGaps;

    protected override string EmulatorName => AzuriteServer.EmulatorName;

    protected override async Task<IBlobStore> CreateStoreAsync()
    {
        _server = await AzuriteServer.GetSharedAsync();
        _container = AzureTestStores.NewContainerName();
        return await AzureTestStores.CreateAsync(_server, _container);
    }

    protected override Task<IBlobStore> ReopenAsync(IBlobStore store) =>
        Task.FromResult<IBlobStore>(new AzureBlobStore(AzureTestStores.Options(_server!, _container!)));
}
