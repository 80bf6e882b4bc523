using MusicLocker.Storage;
using MusicLocker.Storage.InMemory;
using MusicLocker.Testing;

namespace MusicLocker.Crypto.Tests;

/// <summary>Rotation and crypto-shredding through the whole hierarchy, counting what touches the stores.</summary>
public sealed class KeyHierarchyTests
{
    private const int AudioSize = 300_000;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] Objects = ["ann/1.mp3", "ann/2.mp3", "ann/3.m4a", "bob/1.mp3", "bob/2.mp3", "cat/1.mp3"];

    [Fact]
    public async Task Master_key_rotation_rewraps_user_keys_only_and_reads_or_writes_no_audio()
    {
        using var f = await CryptoFixture.CreateAsync();
        await PutAllAsync(f);
        int oldMaster = f.Ring.CurrentVersion;
        await f.Ring.RotateAsync(Ct);
        f.Inner.Reset();
        f.KeyRecords.Reset();

        var result = await f.Keys.RotateMasterKeyAsync(Ct);

        Assert.Equal(new MasterKeyRotationResult(3, 3), result);
        Assert.Equal(0, f.Inner.Reads);
        Assert.Equal(0, f.Inner.BytesWritten);
        Assert.Equal(3, f.KeyRecords.Writes);
        Assert.All(f.KeyRecords.WrittenKeys, k => Assert.StartsWith(BlobUserKeyStore.DefaultPrefix, k, StringComparison.Ordinal));
        Assert.InRange(f.KeyRecords.BytesWritten, 3 * 100, 3 * 1024);

        // With the old master key gone, a fresh instance still reads everything: the user keys moved to the new one.
        await f.Ring.RemoveVersionAsync(oldMaster, Ct);
        var fresh = CryptoFixture.NewStore(f.Inner, f.NewKeyManager());
        await AssertAllReadableAsync(fresh);
    }

    [Fact]
    public async Task User_key_rotation_rewraps_that_users_data_keys_only_and_reads_or_writes_no_audio()
    {
        using var f = await CryptoFixture.CreateAsync();
        await PutAllAsync(f);
        var bobRecord = await f.UserKeyStore.ReadAsync(new KeyOwner("t1", "bob"), Ct);
        f.Inner.Reset();
        f.KeyRecords.Reset();

        var result = await f.Store.RotateUserKeyAsync(new KeyOwner("t1", "ann"), "ann/", Ct);

        Assert.Equal(2, result.NewVersion);
        Assert.Equal(3, result.ObjectsRewrapped);
        Assert.Equal(0, f.Inner.Reads);
        Assert.Equal(3, f.Inner.Writes);
        Assert.All(f.Inner.WrittenKeys, k => Assert.StartsWith(EncryptedBlobStore.ReservedPrefix + "data-keys/ann/", k, StringComparison.Ordinal));
        Assert.Equal(result.BytesWritten, f.Inner.BytesWritten);
        Assert.InRange(f.Inner.BytesWritten, 3 * 50, 3 * 400);
        Assert.All(f.KeyRecords.WrittenKeys, k => Assert.Contains("u-ann", k, StringComparison.Ordinal));
        Assert.Equal(bobRecord.ETag, (await f.UserKeyStore.ReadAsync(new KeyOwner("t1", "bob"), Ct)).ETag);

        // Version 1 of ann's key is retired (kept until a purge); a fresh instance reads her objects.
        var annRecord = (await f.UserKeyStore.ReadAsync(new KeyOwner("t1", "ann"), Ct)).Record;
        Assert.Equal([1, 2], annRecord.Versions.Select(v => v.Version));
        Assert.NotNull(annRecord.Versions[0].RetiredAt);
        Assert.Null(annRecord.Versions[1].RetiredAt);
        var fresh = CryptoFixture.NewStore(f.Inner, f.NewKeyManager());
        await AssertAllReadableAsync(fresh);

        // New objects use the new version, and a second rotation works from the records.
        await fresh.PutBytesAsync(BlobKey.Parse("ann/4.mp3"), TestData.Bytes(1000), null, Ct);
        var again = await fresh.RotateUserKeyAsync(new KeyOwner("t1", "ann"), "ann/", Ct);
        Assert.Equal(3, again.NewVersion);
        Assert.Equal(4, again.ObjectsRewrapped);
        await AssertAllReadableAsync(CryptoFixture.NewStore(f.Inner, f.NewKeyManager()));
    }

    [Fact]
    public async Task Destroying_a_user_key_makes_every_object_and_every_backup_copy_unreadable()
    {
        using var f = await CryptoFixture.CreateAsync();
        await PutAllAsync(f);

        // A backup of the blob store taken before the destruction (ciphertext and metadata).
        var backup = new InMemoryBlobStore();
        await foreach (var item in f.Inner.ListAsync("", Ct))
        {
            var props = await f.Inner.GetPropertiesAsync(item.Key, Ct);
            var bytes = await f.Inner.ReadAllBytesAsync(item.Key, cancellationToken: Ct);
            await backup.PutBytesAsync(item.Key, bytes, new PutBlobOptions { ContentType = props.ContentType, Metadata = props.Metadata }, Ct);
        }

        var ann = new KeyOwner("t1", "ann");
        await f.Keys.DestroyUserKeyAsync(ann, Ct);

        foreach (var store in new[] { f.Store, CryptoFixture.NewStore(backup, f.NewKeyManager()) })
        {
            foreach (var key in Objects.Where(k => k.StartsWith("ann/", StringComparison.Ordinal)))
            {
                var ex = await Assert.ThrowsAsync<KeyDestroyedException>(() => store.OpenReadAsync(BlobKey.Parse(key), null, Ct));
                Assert.Equal(EncryptionErrorCode.KeyDestroyed, ex.ErrorCode);
                Assert.Equal(BlobErrorCode.KeyDestroyed, ((BlobStoreException)ex).ErrorCode);
                Assert.Equal(ann, ex.Owner);
            }

            Assert.Equal(TestData.Bytes(AudioSize, 3), await store.ReadAllBytesAsync(BlobKey.Parse("bob/1.mp3"), cancellationToken: Ct));
        }

        // Not even a new object: the key is not silently recreated.
        await Assert.ThrowsAsync<KeyDestroyedException>(() => f.Store.PutBytesAsync(BlobKey.Parse("ann/new.mp3"), new byte[10], null, Ct));
    }

    [Fact]
    public async Task A_destroyed_key_cannot_be_brought_back_by_a_racing_writer()
    {
        using var f = await CryptoFixture.CreateAsync();
        var ann = new KeyOwner("t1", "ann");
        await f.Store.PutBytesAsync(BlobKey.Parse("ann/1.mp3"), TestData.Bytes(100), null, Ct);
        var before = await f.UserKeyStore.ReadAsync(ann, Ct);

        await f.Keys.DestroyUserKeyAsync(ann, Ct);

        // A writer that read the record before the destruction, and one that thinks the user is new, both lose.
        var replace = await Assert.ThrowsAsync<EncryptionException>(() => f.UserKeyStore.ReplaceAsync(ann, before.Record, before.ETag, Ct));
        Assert.Equal(EncryptionErrorCode.ConcurrentUpdate, replace.ErrorCode);
        var create = await Assert.ThrowsAsync<EncryptionException>(() => f.UserKeyStore.CreateAsync(ann, before.Record, Ct));
        Assert.Equal(EncryptionErrorCode.ConcurrentUpdate, create.ErrorCode);
        Assert.True((await f.UserKeyStore.ReadAsync(ann, Ct)).Record.IsDestroyed);

        // Destroying a user who never had a key leaves a tombstone too.
        var ghost = new KeyOwner("t1", "ghost");
        await f.Keys.DestroyUserKeyAsync(ghost, Ct);
        await Assert.ThrowsAsync<KeyDestroyedException>(() => f.Store.PutBytesAsync(BlobKey.Parse("ghost/1.mp3"), new byte[1], null, Ct));
    }

    [Fact]
    public async Task Destroying_purges_the_cache_at_once_and_other_instances_within_their_cache_duration()
    {
        var clock = new ManualTimeProvider();
        using var f = await CryptoFixture.CreateAsync(keyOptions: new UserKeyManagerOptions { TimeProvider = clock, CacheDuration = TimeSpan.FromMinutes(5) });
        var key = BlobKey.Parse("ann/1.mp3");
        await f.Store.PutBytesAsync(key, TestData.Bytes(5000), null, Ct);
        var otherKeys = f.NewKeyManager(new UserKeyManagerOptions { TimeProvider = clock, CacheDuration = TimeSpan.FromMinutes(5) });
        var other = CryptoFixture.NewStore(f.Inner, otherKeys);
        Assert.Equal(5000, (await other.ReadAllBytesAsync(key, cancellationToken: Ct)).Length);

        await f.Keys.DestroyUserKeyAsync(new KeyOwner("t1", "ann"), Ct);

        await Assert.ThrowsAsync<KeyDestroyedException>(() => f.Store.OpenReadAsync(key, null, Ct));
        clock.Advance(TimeSpan.FromMinutes(6));
        await Assert.ThrowsAsync<KeyDestroyedException>(() => other.OpenReadAsync(key, null, Ct));
    }

    [Fact]
    public async Task Fifty_concurrent_first_writes_of_a_new_user_agree_on_one_user_key()
    {
        using var f = await CryptoFixture.CreateAsync();
        await Task.WhenAll(Enumerable.Range(0, 50).Select(i => f.Store.PutBytesAsync(BlobKey.Parse($"dan/{i}.mp3"), TestData.Bytes(100, i), null, Ct)));
        var record = (await f.UserKeyStore.ReadAsync(new KeyOwner("t1", "dan"), Ct)).Record;
        Assert.Single(record.Versions);
        var fresh = CryptoFixture.NewStore(f.Inner, f.NewKeyManager());
        for (int i = 0; i < 50; i++)
        {
            Assert.Equal(TestData.Bytes(100, i), await fresh.ReadAllBytesAsync(BlobKey.Parse($"dan/{i}.mp3"), cancellationToken: Ct));
        }
    }

    private static async Task PutAllAsync(CryptoFixture f)
    {
        for (int i = 0; i < Objects.Length; i++)
        {
            await f.Store.PutBytesAsync(BlobKey.Parse(Objects[i]), TestData.Bytes(AudioSize, i), new PutBlobOptions { ContentType = "audio/mpeg" }, Ct);
        }
    }

    private static async Task AssertAllReadableAsync(IBlobStore store)
    {
        for (int i = 0; i < Objects.Length; i++)
        {
            Assert.Equal(TestData.Bytes(AudioSize, i), await store.ReadAllBytesAsync(BlobKey.Parse(Objects[i]), cancellationToken: Ct));
            Assert.Equal(TestData.Bytes(AudioSize, i).AsSpan(100_000, 1000).ToArray(), await store.ReadAllBytesAsync(BlobKey.Parse(Objects[i]), new ReadBlobOptions { Range = new ByteRange(100_000, 1000) }, cancellationToken: Ct));
        }
    }
}
