using MusicLocker.Testing.Servers;
using MusicLocker.Testing.Storage;

namespace MusicLocker.Storage.S3.Tests;

/// <summary>
/// The suite's 200 MB test measures the process's live managed heap while it streams: a test class running beside it
/// (a part buffer, a fixture's bytes) would count as this store's, so the suite runs alone.
/// </summary>
[CollectionDefinition(nameof(S3ConformanceCollection), DisableParallelization = true)]
public sealed class S3ConformanceCollection;

/// <summary>The storage conformance suite against <see cref="S3BlobStore"/> on s3rver (one bucket per test).</summary>
[Collection(nameof(S3ConformanceCollection))]
public sealed class S3BlobStoreConformanceTests : BlobStoreConformanceTests
{
    private S3rverServer? _server;
    private string? _bucket;

    /// <summary>s3rver's gaps, declared once in the fixture (<see cref="S3rverServer.DeclaredGaps"/>).</summary>
    protected override BlobStoreGaps Gaps => S3rverServer.DeclaredGaps;

    protected override string EmulatorName => S3rverServer.EmulatorName;

    protected override async Task<IBlobStore> CreateStoreAsync()
    {
        _server = await S3rverServer.GetSharedAsync();
        _bucket = await S3TestStores.CreateBucketAsync(_server);
        return new S3BlobStore(S3TestStores.Options(_server, _bucket));
    }

    protected override Task<IBlobStore> ReopenAsync(IBlobStore store) =>
        Task.FromResult<IBlobStore>(new S3BlobStore(S3TestStores.Options(_server!, _bucket!)));
}
