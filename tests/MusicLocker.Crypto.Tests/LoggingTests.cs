using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using MusicLocker.Storage;
using MusicLocker.Testing;

namespace MusicLocker.Crypto.Tests;

/// <summary>What the crypto layer logs through the options' logger factory (EventIds 2000–2999), and that no key material is in it.</summary>
public sealed class LoggingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Rotations_purges_refusals_and_skipped_blobs_are_logged_without_key_material()
    {
        var log = new RecordingLoggerFactory();
        var clock = new ManualTimeProvider();
        using var f = await CryptoFixture.CreateAsync(partSize: 16 * 1024, keyOptions: new UserKeyManagerOptions { LoggerFactory = log, TimeProvider = clock });
        var store = new EncryptedBlobStore(f.Inner, f.Keys, new EncryptedBlobStoreOptions { OwnerOf = CryptoFixture.OwnerOf, PartSize = 16 * 1024, TimeProvider = clock, LoggerFactory = log });
        var ann = new KeyOwner("t1", "ann");
        await store.PutBytesAsync(BlobKey.Parse("ann/a.mp3"), TestData.Bytes(1000, 1), null, Ct);

        // A foreign blob in a listing (2006).
        await f.Inner.PutBytesAsync(BlobKey.Parse("ann/foreign.bin"), new byte[] { 1, 2, 3 }, null, Ct);
        Assert.Single(await store.ListAsync("ann/", Ct).ToListAsync(Ct));
        Assert.Contains(log.Entries, e => e.Id == 2006 && e.Message.Contains("ann/foreign.bin", StringComparison.Ordinal));

        // A part sent again with other bytes (2007).
        var upload = await store.StartMultipartUploadAsync(BlobKey.Parse("ann/m.mp3"), null, Ct);
        await store.UploadPartAsync(upload, 1, new MemoryStream(TestData.Bytes(16 * 1024, 1)), Ct);
        await Assert.ThrowsAsync<EncryptionException>(() => store.UploadPartAsync(upload, 1, new MemoryStream(TestData.Bytes(16 * 1024, 2)), Ct));
        Assert.Contains(log.Entries, e => e.Id == 2007 && e.Level == LogLevel.Warning);

        // A user-key rotation (2001), then a purge once the retired version is old enough (2002), and expired claims (2008).
        // The foreign blob under the prefix is skipped by the rotation (2012), not a reason to fail it.
        Assert.Equal(1, (await store.RotateUserKeyAsync(ann, "ann/", Ct)).ObjectsRewrapped);
        Assert.Contains(log.Entries, e => e.Id == 2012 && e.Message.Contains("ann/foreign.bin", StringComparison.Ordinal));
        Assert.Contains(log.Entries, e => e.Id == 2001 && e.Message.Contains("t1/ann", StringComparison.Ordinal));
        clock.Advance(TimeSpan.FromDays(8));
        Assert.Equal(1, (await store.PurgeRetiredUserKeysAsync(ann, "ann/", Ct)).VersionsRemoved);
        Assert.Contains(log.Entries, e => e.Id == 2002);
        Assert.True(await store.DeleteExpiredUploadClaimsAsync(Ct) > 0);
        Assert.Contains(log.Entries, e => e.Id == 2008);

        // Master-key rotation (2003), destruction (2004), a read of the destroyed key (2005).
        await f.Keys.RotateMasterKeyAsync(Ct);
        Assert.Contains(log.Entries, e => e.Id == 2003);
        await f.Keys.DestroyUserKeyAsync(ann, Ct);
        Assert.Contains(log.Entries, e => e.Id == 2004);
        await Assert.ThrowsAsync<KeyDestroyedException>(() => store.ReadAllBytesAsync(BlobKey.Parse("ann/a.mp3"), null, cancellationToken: Ct));
        Assert.Contains(log.Entries, e => e.Id == 2005);

        Assert.All(log.Entries, e => Assert.InRange(e.Id, 2000, 2999));

        // No key material: neither master keys (from the ring file) nor anything base64 the length of a key.
        var ringKeys = System.Text.Json.JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(f.Folder, "keyring.json"), Ct)).RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("key").GetString()!).ToArray();
        Assert.NotEmpty(ringKeys);
        foreach (var entry in log.Entries)
        {
            Assert.DoesNotMatch(@"[A-Za-z0-9+/]{43}=", entry.Message);
            Assert.All(ringKeys, k => Assert.DoesNotContain(k, entry.Message, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_key_ring_logs_added_and_removed_master_key_versions()
    {
        var log = new RecordingLoggerFactory();
        using var folder = new TempFolder();
        using var ring = await LocalKeyRing.CreateAsync(new LocalKeyRingOptions { Path = Path.Combine(folder.Path, "ring.json"), LoggerFactory = log }, Ct);
        await ring.RotateAsync(Ct);
        await ring.RemoveVersionAsync(1, Ct);
        Assert.Equal([2010, 2010, 2011], log.Entries.Select(e => e.Id).ToArray());
    }

    internal sealed class RecordingLoggerFactory : ILoggerFactory
    {
        public ConcurrentQueue<(int Id, LogLevel Level, string Message)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

        public void Dispose()
        {
        }

        private sealed class Logger(RecordingLoggerFactory owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Entries.Enqueue((eventId.Id, logLevel, formatter(state, exception)));
        }
    }
}
