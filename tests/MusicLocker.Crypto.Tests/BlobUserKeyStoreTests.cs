using MusicLocker.Storage.InMemory;

namespace MusicLocker.Crypto.Tests;

/// <summary>The user key records as blobs: ids of any text round-trip, writes are conditional, records are small.</summary>
public sealed class BlobUserKeyStoreTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Owners_with_any_ids_round_trip_through_their_record_keys()
    {
        var store = new BlobUserKeyStore(new InMemoryBlobStore());
        KeyOwner[] owners = [new("", "ann"), new("acme", "ann"), new("a b", "100% müsic"), new(".", ".."), new("t", "user@example.com?x=1#y")];
        var record = new UserKeyRecord(1, [new WrappedUserKey(1, new byte[45], DateTimeOffset.UnixEpoch)]);
        foreach (var owner in owners)
        {
            await store.CreateAsync(owner, record, Ct);
        }

        var listed = new List<KeyOwner>();
        await foreach (var owner in store.ListOwnersAsync(Ct))
        {
            listed.Add(owner);
        }

        Assert.Equal(owners.OrderBy(o => o.ToString(), StringComparer.Ordinal), listed.OrderBy(o => o.ToString(), StringComparer.Ordinal));
        foreach (var owner in owners)
        {
            var read = await store.ReadAsync(owner, Ct);
            Assert.Equal(1, read.Record.CurrentVersion);
            Assert.Equal(45, Assert.Single(read.Record.Versions).WrappedKey.Length);
        }

        Assert.InRange(BlobUserKeyStore.Serialize(record).Length, 50, 200);
    }

    [Fact]
    public async Task A_missing_record_is_key_not_found_and_a_stale_replace_is_a_concurrent_update()
    {
        var store = new BlobUserKeyStore(new InMemoryBlobStore());
        var owner = new KeyOwner("t", "u");
        var missing = await Assert.ThrowsAsync<EncryptionException>(() => store.ReadAsync(owner, Ct));
        Assert.Equal(EncryptionErrorCode.KeyNotFound, missing.ErrorCode);

        var record = new UserKeyRecord(1, [new WrappedUserKey(1, new byte[45], DateTimeOffset.UnixEpoch)]);
        var first = await store.CreateAsync(owner, record, Ct);
        await store.ReplaceAsync(owner, UserKeyRecord.Tombstone(DateTimeOffset.UnixEpoch), first, Ct);
        var stale = await Assert.ThrowsAsync<EncryptionException>(() => store.ReplaceAsync(owner, record, first, Ct));
        Assert.Equal(EncryptionErrorCode.ConcurrentUpdate, stale.ErrorCode);
        Assert.True((await store.ReadAsync(owner, Ct)).Record.IsDestroyed);
    }
}
