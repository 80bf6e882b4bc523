using MusicLocker.Crypto;
using MusicLocker.Storage;
using MusicLocker.Storage.FileSystem;
using MusicLocker.Storage.InMemory;
using MusicLocker.Testing;

namespace MusicLocker.Streaming.Tests.Support;

/// <summary>The stores a range is read through: in-memory and file system, plain and encrypted (a local key ring in a temp folder).</summary>
internal sealed class Stores : IAsyncDisposable
{
    private readonly TempFolder _folder = new();
    private LocalKeyRing? _ring;

    private Stores()
    {
    }

    public static readonly TheoryData<string> Kinds = new("inmemory", "filesystem", "inmemory+encrypted", "filesystem+encrypted");

    /// <summary>The store under test, counted.</summary>
    public CountingBlobStore Store { get; private set; } = null!;

    public static async Task<Stores> CreateAsync(string kind, int encryptedPartSize = 5 * 1024 * 1024)
    {
        var s = new Stores();
        IBlobStore store = kind.StartsWith("filesystem", StringComparison.Ordinal)
            ? new FileSystemBlobStore(new FileSystemBlobStoreOptions { RootPath = Path.Combine(s._folder.Path, "blobs"), FlushToDisk = false })
            : new InMemoryBlobStore();
        if (kind.EndsWith("+encrypted", StringComparison.Ordinal))
        {
            s._ring = await LocalKeyRing.CreateAsync(Path.Combine(s._folder.Path, "keyring.json"), TestContext.Current.CancellationToken);
            var keys = new UserKeyManager(s._ring, new BlobUserKeyStore(new InMemoryBlobStore()));
            store = new EncryptedBlobStore(store, keys, new EncryptedBlobStoreOptions { Owner = new KeyOwner("t1", "ann"), PartSize = encryptedPartSize });
        }

        s.Store = new CountingBlobStore(store);
        return s;
    }

    public ValueTask DisposeAsync()
    {
        _ring?.Dispose();
        _folder.Dispose();
        return ValueTask.CompletedTask;
    }
}
