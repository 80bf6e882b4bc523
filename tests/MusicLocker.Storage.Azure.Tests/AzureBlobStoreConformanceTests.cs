using MusicLocker.Testing.Servers;
using MusicLocker.Testing.Storage;

namespace MusicLocker.Storage.Azure.Tests;

/// <summary>
/// The storage conformance suite against <see cref="AzureBlobStore"/> on Azurite (one container per test). No gaps are
/// declared: Azurite's one gap the provider meets, suffix ranges, is closed in the provider.
/// </summary>
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
