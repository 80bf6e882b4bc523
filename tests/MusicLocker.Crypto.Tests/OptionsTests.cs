using MusicLocker.Storage;
using MusicLocker.Storage.InMemory;
using MusicLocker.Testing;

namespace MusicLocker.Crypto.Tests;

/// <summary>Options are copied and checked at construction: later changes to the caller's object have no effect.</summary>
public sealed class OptionsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Changing_encrypted_store_options_after_construction_has_no_effect()
    {
        using var f = await CryptoFixture.CreateAsync();
        var clock = new ManualTimeProvider();
        var options = new EncryptedBlobStoreOptions { OwnerOf = CryptoFixture.OwnerOf, PartSize = 16 * 1024, MaxUploadAge = TimeSpan.FromHours(1), TimeProvider = clock };
        var store = new EncryptedBlobStore(f.Inner, f.Keys, options);

        options.PartSize = 32 * 1024;
        options.MaxUploadAge = TimeSpan.FromDays(365);
        options.OwnerOf = _ => new KeyOwner("t1", "mallory");
        options.TimeProvider = TimeProvider.System;

        // Owner: still from the key, so the blob reads back through a store built the same way as the first.
        await store.PutBytesAsync(BlobKey.Parse("ann/a.mp3"), new byte[] { 1, 2, 3 }, null, Ct);
        Assert.Equal([1, 2, 3], await f.Store.ReadAllBytesAsync(BlobKey.Parse("ann/a.mp3"), null, cancellationToken: Ct));

        // Part size: a 16 KiB part is a whole (non-final) part of this upload.
        var upload = await store.StartMultipartUploadAsync(BlobKey.Parse("ann/m.mp3"), null, Ct);
        var part1 = await store.UploadPartAsync(upload, 1, new MemoryStream(TestData.Bytes(16 * 1024, 1)), Ct);
        var part2 = await store.UploadPartAsync(upload, 2, new MemoryStream(TestData.Bytes(100, 2)), Ct);

        // Clock and age: the store's own clock, and one hour, still judge the upload.
        clock.Advance(TimeSpan.FromHours(2));
        var expired = await Assert.ThrowsAsync<EncryptionException>(() => store.CompleteMultipartUploadAsync(upload, [part1, part2], Ct));
        Assert.Equal(EncryptionErrorCode.UploadIdInvalid, expired.ErrorCode);
    }

    [Fact]
    public async Task Changing_user_key_manager_options_after_construction_has_no_effect()
    {
        using var f = await CryptoFixture.CreateAsync();
        var clock = new ManualTimeProvider();
        var options = new UserKeyManagerOptions { CacheDuration = TimeSpan.Zero, TimeProvider = clock };
        var keys = f.NewKeyManager(options);
        options.CacheDuration = TimeSpan.FromDays(1);

        var store = CryptoFixture.NewStore(f.Inner, keys);
        await store.PutBytesAsync(BlobKey.Parse("ann/a.mp3"), new byte[] { 1 }, null, Ct);
        f.KeyRecords.Reset();
        await store.ReadAllBytesAsync(BlobKey.Parse("ann/a.mp3"), null, cancellationToken: Ct);
        await store.ReadAllBytesAsync(BlobKey.Parse("ann/a.mp3"), null, cancellationToken: Ct);

        // No cache (the duration copied was zero): each read fetched the user's record again.
        Assert.Equal(2, f.KeyRecords.Reads);
    }

    [Fact]
    public void A_negative_cache_duration_names_the_option()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new UserKeyManager(new FakeProvider(), new BlobUserKeyStore(new InMemoryBlobStore()), new UserKeyManagerOptions { CacheDuration = TimeSpan.FromSeconds(-1) }));
        Assert.Equal("options.CacheDuration", ex.ParamName);
    }

    [Fact]
    public async Task Encrypted_store_options_are_checked_at_construction_and_name_the_option()
    {
        using var f = await CryptoFixture.CreateAsync();
        Assert.Equal("options.MaxUploadAge", Assert.Throws<ArgumentOutOfRangeException>(() => new EncryptedBlobStore(f.Inner, f.Keys, new EncryptedBlobStoreOptions { Owner = new KeyOwner("t", "u"), MaxUploadAge = TimeSpan.Zero })).ParamName);
        Assert.Equal("options.OwnerOf", Assert.Throws<ArgumentException>(() => new EncryptedBlobStore(f.Inner, f.Keys, new EncryptedBlobStoreOptions())).ParamName);
        Assert.Equal("options.Owner", Assert.Throws<ArgumentException>(() => new EncryptedBlobStore(f.Inner, f.Keys, new EncryptedBlobStoreOptions { Owner = default(KeyOwner) })).ParamName);
    }

    [Fact]
    public async Task Changing_key_ring_options_after_opening_has_no_effect()
    {
        using var folder = new TempFolder();
        var options = new LocalKeyRingOptions { Path = Path.Combine(folder.Path, "ring.json") };
        using (await LocalKeyRing.CreateAsync(options, Ct))
        {
        }

        using var ring = await LocalKeyRing.OpenAsync(options, Ct);
        options.Path = Path.Combine(folder.Path, "elsewhere.json");
        await ring.RotateAsync(Ct);

        // The rotation rewrote the ring that was opened, not the path set afterwards.
        Assert.False(File.Exists(options.Path));
        using var reopened = await LocalKeyRing.OpenAsync(Path.Combine(folder.Path, "ring.json"), Ct);
        Assert.Equal([1, 2], reopened.Versions);
    }

    private sealed class FakeProvider : IMasterKeyProvider
    {
        public Task<GeneratedKey> GenerateKeyAsync(KeyContext context, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<byte[]> UnwrapKeyAsync(ReadOnlyMemory<byte> wrappedKey, KeyContext context, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<byte[]> RewrapKeyAsync(ReadOnlyMemory<byte> wrappedKey, KeyContext context, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
