using MusicLocker.Storage;
using MusicLocker.Storage.FileSystem;
using MusicLocker.Storage.InMemory;
using MusicLocker.Testing.Storage;

namespace MusicLocker.Crypto.Tests;

/// <summary>The storage conformance suite, unchanged, through <see cref="EncryptedBlobStore"/> over the in-memory store.</summary>
public sealed class EncryptedInMemoryConformanceTests : BlobStoreConformanceTests
{
    private readonly EncryptedStoreHarness _harness = new();

    // A part number takes one body per upload (no nonce encrypts two plaintexts): sending other bytes is refused.
    protected override BlobStoreGaps Gaps => BlobStoreGaps.PartReplacement;

    protected override string EmulatorName => "EncryptedBlobStore";

    protected override bool HoldsBlobsInProcessMemory => true;

    protected override Task<IBlobStore> CreateStoreAsync() => _harness.CreateAsync(new InMemoryBlobStore());

    protected override Task<IBlobStore> ReopenAsync(IBlobStore store) => Task.FromResult(_harness.Reopen());

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _harness.Dispose();
    }
}

/// <summary>The storage conformance suite, unchanged, through <see cref="EncryptedBlobStore"/> over the file-system store.</summary>
public sealed class EncryptedFileSystemConformanceTests : BlobStoreConformanceTests
{
    private readonly EncryptedStoreHarness _harness = new();

    // A part number takes one body per upload (no nonce encrypts two plaintexts): sending other bytes is refused.
    protected override BlobStoreGaps Gaps => BlobStoreGaps.PartReplacement;

    protected override string EmulatorName => "EncryptedBlobStore";

    protected override Task<IBlobStore> CreateStoreAsync() => _harness.CreateAsync(new FileSystemBlobStore(Path.Combine(_harness.Folder, "blobs")));

    // A restarted process: new file-system store, new key ring instance, new key manager (empty cache).
    protected override Task<IBlobStore> ReopenAsync(IBlobStore store) => _harness.ReopenFromDiskAsync(new FileSystemBlobStore(Path.Combine(_harness.Folder, "blobs")));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _harness.Dispose();
    }
}

/// <summary>Builds an encrypted store for one user with its key ring and user key records in a temp folder and the inner store.</summary>
internal sealed class EncryptedStoreHarness : IDisposable
{
    private static readonly KeyOwner Owner = new("conformance", "user-1");
    private LocalKeyRing? _ring;
    private IBlobStore? _inner;

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "musiclocker-crypto-tests", Guid.NewGuid().ToString("N"));

    private string RingPath => Path.Combine(Folder, "keyring.json");

    public async Task<IBlobStore> CreateAsync(IBlobStore inner)
    {
        Directory.CreateDirectory(Folder);
        _ring = await LocalKeyRing.CreateAsync(RingPath);
        _inner = inner;
        return Build(inner, _ring);
    }

    public IBlobStore Reopen() => Build(_inner!, _ring!);

    public async Task<IBlobStore> ReopenFromDiskAsync(IBlobStore inner) => Build(inner, await LocalKeyRing.OpenAsync(RingPath));

    public void Dispose()
    {
        _ring?.Dispose();
        (_inner as IDisposable)?.Dispose();
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }

    private static EncryptedBlobStore Build(IBlobStore inner, LocalKeyRing ring) =>
        new(inner, new UserKeyManager(ring, new BlobUserKeyStore(inner)), new EncryptedBlobStoreOptions { Owner = Owner });
}
