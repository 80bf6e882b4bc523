using System.Collections.Concurrent;
using System.Text.Json;
using MusicLocker.Crypto.Format;
using MusicLocker.Crypto.Internal;
using MusicLocker.Crypto.Keys;
using MusicLocker.Storage;
using MusicLocker.Testing;

namespace MusicLocker.Crypto.Tests;

/// <summary>
/// Key material handed to an operation stays valid until the operation ends: puts racing cache purges, master- and
/// user-key rotations and a destruction all store objects that read back, and none is wrapped under a zeroed key.
/// </summary>
public sealed class KeyLifetimeTests
{
    private const int Puts = 3000;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("purge cache")]
    [InlineData("rotate master key")]
    [InlineData("rotate user key")]
    [InlineData("destroy another user")]
    public async Task Puts_racing_key_maintenance_all_read_back_and_none_is_wrapped_under_a_zero_key(string maintenance)
    {
        using var f = await CryptoFixture.CreateAsync();
        var ann = new KeyOwner("t1", "ann");
        var bob = new KeyOwner("t1", "bob");
        await f.Store.PutBytesAsync(BlobKey.Parse("bob/seed.mp3"), new byte[] { 1, 2, 3 }, null, Ct);
        await f.Store.PutBytesAsync(BlobKey.Parse("ann/seed.mp3"), new byte[] { 4, 5, 6 }, null, Ct);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        if (maintenance == "rotate master key")
        {
            await f.Ring.RotateAsync(Ct);
        }

        int rounds = 0;

        // On a thread of its own, so the maintenance keeps running however busy the pool is with puts.
        var loop = Task.Factory.StartNew(
            async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    switch (maintenance)
                    {
                        case "purge cache":
                            f.Keys.PurgeCache();
                            break;
                        case "rotate master key":
                            // Rewraps every user key under the ring's current key, replacing (and purging) each record.
                            await f.Keys.RotateMasterKeyAsync(Ct);
                            break;
                        case "rotate user key":
                            await f.Store.RotateUserKeyAsync(ann, "ann/", Ct);
                            break;
                        default:
                            await f.Keys.DestroyUserKeyAsync(bob, Ct);
                            break;
                    }

                    Interlocked.Increment(ref rounds);
                }
            },
            Ct,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default).Unwrap();

        var written = new ConcurrentDictionary<string, byte[]>();
        await Parallel.ForEachAsync(Enumerable.Range(0, Puts), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Ct }, async (i, ct) =>
        {
            var bytes = TestData.Bytes(64 + (i % 200), i);
            await f.Store.PutBytesAsync(BlobKey.Parse($"ann/{i}.mp3"), bytes, null, ct);
            written[$"ann/{i}.mp3"] = bytes;
        });
        await stop.CancelAsync();
        await loop;
        Assert.True(rounds > 0, "the maintenance loop never ran");

        var fresh = CryptoFixture.NewStore(f.Inner, f.NewKeyManager());
        Assert.Equal(Puts, written.Count);
        foreach (var (key, bytes) in written)
        {
            Assert.Equal(bytes, await fresh.ReadAllBytesAsync(BlobKey.Parse(key), cancellationToken: Ct));
        }

        await AssertNothingWrappedUnderAZeroKeyAsync(f.Inner);
    }

    [Fact]
    public async Task Every_unwrapped_user_key_is_zeroed_once_no_operation_holds_it()
    {
        foreach (var cache in new[] { TimeSpan.Zero, TimeSpan.FromMinutes(5) })
        {
            using var f = await CryptoFixture.CreateAsync();
            var recording = new RecordingMasterKeys(f.Ring);
            var keys = new UserKeyManager(recording, f.UserKeyStore, new UserKeyManagerOptions { CacheDuration = cache });
            var store = CryptoFixture.NewStore(f.Inner, keys);

            // Concurrent first uses race to fill the cache; purges replace entries under the readers.
            await Parallel.ForEachAsync(Enumerable.Range(0, 200), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Ct }, async (i, ct) =>
            {
                await store.PutBytesAsync(BlobKey.Parse($"ann/{i}.mp3"), TestData.Bytes(100, i), null, ct);
                await store.ReadAllBytesAsync(BlobKey.Parse($"ann/{i}.mp3"), cancellationToken: ct);
                if (i % 7 == 0)
                {
                    keys.PurgeCache();
                }
            });
            keys.PurgeCache();

            Assert.NotEmpty(recording.Unwrapped);
            Assert.All(recording.Unwrapped, key => Assert.True(key.All(b => b == 0), $"an unwrapped user key was left in memory (cache {cache})"));
        }
    }

    /// <summary>No wrapped data key — in an object's metadata or in a rotation's record — opens under 32 zero bytes.</summary>
    internal static async Task AssertNothingWrappedUnderAZeroKeyAsync(IBlobStore inner)
    {
        var zero = new byte[CiphertextLayout.KeySize];
        var headers = new Dictionary<string, (byte[] Header, byte[] Wrapped)>();
        await foreach (var item in inner.ListAsync("", Ct))
        {
            if (item.Key.Value.StartsWith(EncryptedBlobStore.ReservedPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var obj = EncryptedObject.Parse(await inner.GetPropertiesAsync(item.Key, Ct));
            headers[item.Key.Value] = (obj.Header, obj.WrappedDataKey);
        }

        Assert.NotEmpty(headers);
        foreach (var (key, (header, wrapped)) in headers)
        {
            var context = FormatPrefix.ObjectContext(header, CryptoFixture.OwnerOf(BlobKey.Parse(key)), key);
            Assert.False(DataKeyWrap.TryUnwrap(zero, context, wrapped, out _), $"The data key of '{key}' is wrapped under an all-zero user key.");
            if (BlobKey.TryParse(EncryptedBlobStore.ReservedPrefix + "data-keys/" + key, out var recordKey, out _) && await inner.ExistsAsync(recordKey, Ct))
            {
                using var record = JsonDocument.Parse(await inner.ReadAllBytesAsync(recordKey, cancellationToken: Ct));
                Assert.False(DataKeyWrap.TryUnwrap(zero, context, record.RootElement.GetProperty("wrapped").GetBytesFromBase64(), out _), $"The rewrapped data key of '{key}' is wrapped under an all-zero user key.");
            }
        }
    }

    /// <summary>A master-key provider that remembers every key it unwrapped (the arrays it handed out).</summary>
    private sealed class RecordingMasterKeys(IMasterKeyProvider inner) : IMasterKeyProvider
    {
        public ConcurrentBag<byte[]> Unwrapped { get; } = [];

        public Task<GeneratedKey> GenerateKeyAsync(KeyContext context, CancellationToken cancellationToken = default) => inner.GenerateKeyAsync(context, cancellationToken);

        public async Task<byte[]> UnwrapKeyAsync(ReadOnlyMemory<byte> wrappedKey, KeyContext context, CancellationToken cancellationToken = default)
        {
            var key = await inner.UnwrapKeyAsync(wrappedKey, context, cancellationToken);
            Unwrapped.Add(key);
            return key;
        }

        public Task<byte[]> RewrapKeyAsync(ReadOnlyMemory<byte> wrappedKey, KeyContext context, CancellationToken cancellationToken = default) => inner.RewrapKeyAsync(wrappedKey, context, cancellationToken);
    }
}
