using MusicLocker.Testing.Servers;
using MusicLocker.Testing.Storage;

namespace MusicLocker.Storage.S3.Tests;

/// <summary>The storage conformance suite against <see cref="S3BlobStore"/> on s3rver (one bucket per test).</summary>
public sealed class S3BlobStoreConformanceTests : BlobStoreConformanceTests
{
    private S3rverServer? _server;
    private string? _bucket;

    /// <summary>
    /// s3rver's gaps, declared once (see <see cref="S3rverServer.Gaps"/>). If-Match on reads is not one: the provider checks
    /// the ETag of the response itself. If-Match on deletes is checked against a HEAD first, so it holds here too.
    /// </summary>
    protected override BlobStoreGaps Gaps =>
        BlobStoreGaps.ConditionalWrites | BlobStoreGaps.ListParts | BlobStoreGaps.AbortMultipart | BlobStoreGaps.CompletionPartValidation;

    protected override string EmulatorName => "s3rver 3.7.1";

    protected override async Task<IBlobStore> CreateStoreAsync()
    {
        _server = await S3rverServer.GetSharedAsync();
        _bucket = await S3TestStores.CreateBucketAsync(_server);
        return new S3BlobStore(S3TestStores.Options(_server, _bucket));
    }

    protected override Task<IBlobStore> ReopenAsync(IBlobStore store) =>
        Task.FromResult<IBlobStore>(new S3BlobStore(S3TestStores.Options(_server!, _bucket!)));
}
