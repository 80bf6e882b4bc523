using MusicLocker.Storage;
using MusicLocker.Storage.InMemory;

namespace MusicLocker.Crypto.Tests;

/// <summary>
/// A whole key hierarchy over real stores: a key ring file in a temp folder, user key records and encrypted blobs in one
/// in-memory store (counted), and an <see cref="EncryptedBlobStore"/> whose owner is the tenant "t1" and the first key
/// segment ("ann/…" belongs to user ann).
/// </summary>
internal sealed class CryptoFixture : IDisposable
{
    private CryptoFixture(string folder, LocalKeyRing ring, CountingBlobStore inner, CountingBlobStore keyRecords, UserKeyManager keys, EncryptedBlobStore store)
    {
        Folder = folder;
        Ring = ring;
        Inner = inner;
        KeyRecords = keyRecords;
        Keys = keys;
        Store = store;
    }

    public string Folder { get; }

    public LocalKeyRing Ring { get; }

    /// <summary>The store of encrypted blobs (and rewrapped data-key records).</summary>
    public CountingBlobStore Inner { get; }

    /// <summary>The store of user key records, kept apart from the blobs as a deployment should (a blob backup must not carry user keys).</summary>
    public CountingBlobStore KeyRecords { get; }

    public BlobUserKeyStore UserKeyStore => new(KeyRecords);

    public UserKeyManager Keys { get; }

    public EncryptedBlobStore Store { get; }

    public static KeyOwner OwnerOf(BlobKey key) => new("t1", key.Value[..key.Value.IndexOf('/', StringComparison.Ordinal)]);

    public static async Task<CryptoFixture> CreateAsync(IBlobStore? inner = null, int partSize = 5 * 1024 * 1024, UserKeyManagerOptions? keyOptions = null, TimeProvider? time = null)
    {
        string folder = Path.Combine(Path.GetTempPath(), "musiclocker-crypto-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var ring = await LocalKeyRing.CreateAsync(Path.Combine(folder, "keyring.json"), cancellationToken: TestContext.Current.CancellationToken);
        var counting = new CountingBlobStore(inner ?? new InMemoryBlobStore());
        var keyRecords = new CountingBlobStore(new InMemoryBlobStore());
        var keys = new UserKeyManager(ring, new BlobUserKeyStore(keyRecords), keyOptions);
        return new CryptoFixture(folder, ring, counting, keyRecords, keys, NewStore(counting, keys, partSize, time));
    }

    /// <summary>A second key manager over the same records (another app instance, with its own cache).</summary>
    public UserKeyManager NewKeyManager(UserKeyManagerOptions? options = null) => new(Ring, UserKeyStore, options);

    public static EncryptedBlobStore NewStore(IBlobStore inner, UserKeyManager keys, int partSize = 5 * 1024 * 1024, TimeProvider? time = null) =>
        new(inner, keys, new EncryptedBlobStoreOptions { OwnerOf = OwnerOf, PartSize = partSize, TimeProvider = time });

    /// <summary>Rewrites the stored ciphertext (and optionally its metadata) of a blob behind the decorator's back.</summary>
    public async Task TamperAsync(string key, Func<byte[], byte[]> change, Func<Dictionary<string, string>, Dictionary<string, string>>? metadata = null)
    {
        var blobKey = BlobKey.Parse(key);
        var props = await Inner.GetPropertiesAsync(blobKey, TestContext.Current.CancellationToken);
        var bytes = await Inner.ReadAllBytesAsync(blobKey, cancellationToken: TestContext.Current.CancellationToken);
        var meta = new Dictionary<string, string>(props.Metadata);
        await Inner.PutBytesAsync(blobKey, change(bytes), new PutBlobOptions { ContentType = props.ContentType, Metadata = metadata?.Invoke(meta) ?? meta }, TestContext.Current.CancellationToken);
    }

    public void Dispose()
    {
        Ring.Dispose();
        Directory.Delete(Folder, recursive: true);
    }
}
