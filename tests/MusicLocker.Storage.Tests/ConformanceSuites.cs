using MusicLocker.Storage;
using MusicLocker.Storage.FileSystem;
using MusicLocker.Storage.InMemory;
using MusicLocker.Testing;
using MusicLocker.Testing.Storage;

namespace MusicLocker.Storage.Tests;

public sealed class FileSystemBlobStoreConformanceTests : BlobStoreConformanceTests
{
    private readonly TempFolder _folder = new();

    protected override Task<IBlobStore> CreateStoreAsync() => Task.FromResult<IBlobStore>(new FileSystemBlobStore(_folder.Path));

    // A new instance over the same folder is what a restarted process gets.
    protected override Task<IBlobStore> ReopenAsync(IBlobStore store) => Task.FromResult<IBlobStore>(new FileSystemBlobStore(_folder.Path));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _folder.Dispose();
    }
}

public sealed class InMemoryBlobStoreConformanceTests : BlobStoreConformanceTests
{
    protected override Task<IBlobStore> CreateStoreAsync() => Task.FromResult<IBlobStore>(new InMemoryBlobStore());

    protected override bool HoldsBlobsInProcessMemory => true;
}
