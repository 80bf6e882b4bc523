using MusicLocker.Storage;
using MusicLocker.Testing;

namespace MusicLocker.Crypto.Tests;

/// <summary>
/// A user-key rotation leaves nothing unreadable: blobs with long keys, uploads in progress and puts in flight all read
/// after the rotation and after the retired version is purged; and listing survives a foreign blob.
/// </summary>
public sealed class UserKeyRotationTests
{
    private static readonly KeyOwner Ann = new("t1", "ann");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_blob_whose_key_is_too_long_to_prefix_reads_after_rotation_and_purge()
    {
        var clock = new ManualTimeProvider();
        using var f = await CryptoFixture.CreateAsync(time: clock);
        var key = BlobKey.Parse("ann/" + new string('x', 1010));
        var bytes = TestData.Bytes(5000, 1);
        await f.Store.PutBytesAsync(key, bytes, null, Ct);

        var rotated = await f.Store.RotateUserKeyAsync(Ann, "ann/", Ct);
        Assert.Equal(1, rotated.ObjectsRewrapped);
        Assert.Equal(bytes, await ReadFreshAsync(f, key, clock));

        await PurgeAsync(f, clock, expectRemoved: 1);
        Assert.Equal(bytes, await ReadFreshAsync(f, key, clock));
    }

    [Fact]
    public async Task An_upload_in_progress_during_rotation_completes_and_reads_after_rotation_and_purge()
    {
        var clock = new ManualTimeProvider();
        using var f = await CryptoFixture.CreateAsync(partSize: 16 * 1024, time: clock);
        var key = BlobKey.Parse("ann/upload.mp3");
        var p1 = TestData.Bytes(16 * 1024, 1);
        var p2 = TestData.Bytes(999, 2);
        var upload = await f.Store.StartMultipartUploadAsync(key, null, Ct);
        var part1 = await f.Store.UploadPartAsync(upload, 1, new MemoryStream(p1), Ct);

        await f.Store.RotateUserKeyAsync(Ann, "ann/", Ct);
        var part2 = await f.Store.UploadPartAsync(upload, 2, new MemoryStream(p2), Ct);
        await f.Store.CompleteMultipartUploadAsync(upload, [part1, part2], Ct);
        byte[] whole = [.. p1, .. p2];
        Assert.Equal(whole, await ReadFreshAsync(f, key, clock));

        // Purging right away keeps the version: an upload started under it may still complete.
        Assert.Equal(0, (await f.Store.PurgeRetiredUserKeysAsync(Ann, "ann/", Ct)).VersionsRemoved);
        await PurgeAsync(f, clock, expectRemoved: 1);
        Assert.Equal(whole, await ReadFreshAsync(f, key, clock));
    }

    [Fact]
    public async Task A_put_in_flight_during_rotation_reads_after_rotation_and_purge()
    {
        var clock = new ManualTimeProvider();
        using var f = await CryptoFixture.CreateAsync(time: clock);
        await f.Store.PutBytesAsync(BlobKey.Parse("ann/before.mp3"), TestData.Bytes(10), null, Ct);
        var key = BlobKey.Parse("ann/in-flight.mp3");
        var bytes = TestData.Bytes(100_000, 3);
        var content = new GatedStream(bytes, 20_000);
        var put = f.Store.PutAsync(key, content, null, Ct);

        // The put holds its data key (wrapped under version 1) and has sent part of the body; rotate now.
        await content.ReachedGate.WaitAsync(Ct);
        await f.Store.RotateUserKeyAsync(Ann, "ann/", Ct);
        content.Open();
        await put;
        Assert.Equal(bytes, await ReadFreshAsync(f, key, clock));

        await PurgeAsync(f, clock, expectRemoved: 1);
        Assert.Equal(bytes, await ReadFreshAsync(f, key, clock));
    }

    [Fact]
    public async Task A_foreign_blob_of_impossible_length_is_left_out_of_a_listing_instead_of_failing_it()
    {
        using var f = await CryptoFixture.CreateAsync();
        await f.Store.PutBytesAsync(BlobKey.Parse("ann/a.mp3"), TestData.Bytes(10), null, Ct);
        await f.Inner.PutBytesAsync(BlobKey.Parse("ann/foreign.bin"), new byte[] { 1, 2, 3, 4, 5 }, null, Ct);
        await f.Store.PutBytesAsync(BlobKey.Parse("ann/z.mp3"), TestData.Bytes(20), null, Ct);

        var listed = new List<BlobItem>();
        await foreach (var item in f.Store.ListAsync("ann/", Ct))
        {
            listed.Add(item);
        }

        Assert.Equal(["ann/a.mp3", "ann/z.mp3"], listed.Select(i => i.Key.Value));
        Assert.Equal([10L, 20L], listed.Select(i => i.Length));
        var ex = await Assert.ThrowsAsync<EncryptionException>(() => f.Store.ReadAllBytesAsync(BlobKey.Parse("ann/foreign.bin"), cancellationToken: Ct));
        Assert.Equal(EncryptionErrorCode.UnsupportedFormat, ex.ErrorCode);
    }

    [Fact]
    public async Task A_user_key_at_the_last_version_refuses_to_rotate_instead_of_wrapping_around()
    {
        using var f = await CryptoFixture.CreateAsync();
        using var generated = await f.Ring.GenerateKeyAsync(KeyContext.ForUserKey(Ann, int.MaxValue), Ct);
        await f.UserKeyStore.CreateAsync(Ann, new UserKeyRecord(int.MaxValue, [new WrappedUserKey(int.MaxValue, generated.WrappedKey, DateTimeOffset.UnixEpoch)]), Ct);
        var key = BlobKey.Parse("ann/last.mp3");
        await f.Store.PutBytesAsync(key, TestData.Bytes(100), null, Ct);

        var ex = await Assert.ThrowsAsync<EncryptionException>(() => f.Store.RotateUserKeyAsync(Ann, "ann/", Ct));
        Assert.Equal(EncryptionErrorCode.KeyVersionExhausted, ex.ErrorCode);
        Assert.Equal([int.MaxValue], (await f.UserKeyStore.ReadAsync(Ann, Ct)).Record.Versions.Select(v => v.Version));
        Assert.Equal(TestData.Bytes(100), await ReadFreshAsync(f, key, TimeProvider.System));
    }

    [Fact]
    public async Task Expired_part_claims_are_deleted_and_live_ones_kept()
    {
        var clock = new ManualTimeProvider();
        using var f = await CryptoFixture.CreateAsync(partSize: 16 * 1024, time: clock);
        var old = await f.Store.StartMultipartUploadAsync(BlobKey.Parse("ann/old.mp3"), null, Ct);
        await f.Store.UploadPartAsync(old, 1, new MemoryStream(TestData.Bytes(16 * 1024)), Ct);
        await f.Store.UploadPartAsync(old, 2, new MemoryStream(TestData.Bytes(10)), Ct);
        clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        var live = await f.Store.StartMultipartUploadAsync(BlobKey.Parse("ann/live.mp3"), null, Ct);
        var p1 = TestData.Bytes(100, 1);
        await f.Store.UploadPartAsync(live, 1, new MemoryStream(p1), Ct);

        Assert.Equal(2, await f.Store.DeleteExpiredUploadClaimsAsync(Ct));
        Assert.Equal(0, await f.Store.DeleteExpiredUploadClaimsAsync(Ct));

        // The live upload's claim still holds part 1 to its body.
        var ex = await Assert.ThrowsAsync<EncryptionException>(() => f.Store.UploadPartAsync(live, 1, new MemoryStream(TestData.Bytes(100, 2)), Ct));
        Assert.Equal(EncryptionErrorCode.PartConflict, ex.ErrorCode);
    }

    private static async Task PurgeAsync(CryptoFixture f, ManualTimeProvider clock, int expectRemoved)
    {
        clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        var purged = await f.Store.PurgeRetiredUserKeysAsync(Ann, "ann/", Ct);
        Assert.Equal(expectRemoved, purged.VersionsRemoved);
        var record = (await f.UserKeyStore.ReadAsync(Ann, Ct)).Record;
        Assert.All(record.Versions, v => Assert.Null(v.RetiredAt));
    }

    /// <summary>Reads through a new key manager (another instance, nothing cached).</summary>
    private static Task<byte[]> ReadFreshAsync(CryptoFixture f, BlobKey key, TimeProvider clock) =>
        CryptoFixture.NewStore(f.Inner, f.NewKeyManager(), time: clock).ReadAllBytesAsync(key, cancellationToken: Ct);

    /// <summary>A body that stops after <c>gate</c> bytes until <see cref="Open"/>, signalling when it got there.</summary>
    private sealed class GatedStream(byte[] bytes, int gate) : MemoryStream(bytes, writable: false)
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public SemaphoreSlim ReachedGate { get; } = new(0, 1);

        public void Open() => _open.TrySetResult();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Position >= gate && !_open.Task.IsCompleted)
            {
                if (ReachedGate.CurrentCount == 0)
                {
                    ReachedGate.Release();
                }

                await _open.Task.WaitAsync(cancellationToken);
            }

            int max = Position < gate ? (int)Math.Min(buffer.Length, gate - Position) : buffer.Length;
            return await base.ReadAsync(buffer[..max], cancellationToken);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }
}
