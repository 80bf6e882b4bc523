using System.Security.Cryptography;
using MusicLocker.Storage;
using MusicLocker.Storage.InMemory;

namespace MusicLocker.Crypto.Tests.Conformance;

/// <summary>
/// The <see cref="IMasterKeyProvider"/> contract, one suite every provider runs by overriding the factory: wrapping is
/// bound to the context, tampering is refused with typed errors, rotation keeps old keys readable and rewraps to the new
/// one, and the whole hierarchy (user keys, encrypted blobs, rotation, shredding) works on top of it.
/// </summary>
/// <remarks>Compiled into each provider's test project (linked source) so it needs no shared test assembly of its own.</remarks>
public abstract class MasterKeyProviderConformanceTests : IAsyncLifetime
{
    private IMasterKeyProvider? _provider;

    protected IMasterKeyProvider Provider => _provider ?? throw new InvalidOperationException("Created in InitializeAsync.");

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static KeyContext Context => new("acme", "ann", "user-key/1");

    /// <summary>Replaces the provider under test (a provider configured anew, as after a rotation to a new key).</summary>
    protected void ReplaceProvider(IMasterKeyProvider provider) => _provider = provider;

    /// <summary>Creates a provider with one current master key.</summary>
    protected abstract Task<IMasterKeyProvider> CreateProviderAsync();

    /// <summary>Makes a new master key current (keys wrapped before stay unwrappable).</summary>
    protected abstract Task RotateAsync(IMasterKeyProvider provider);

    /// <summary>Retires every master key but the current one.</summary>
    protected abstract Task RetireOldKeysAsync(IMasterKeyProvider provider);

    public virtual async ValueTask InitializeAsync() => _provider = await CreateProviderAsync();

    public virtual ValueTask DisposeAsync()
    {
        (_provider as IDisposable)?.Dispose();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task A_generated_key_is_256_random_bits_and_unwraps_to_itself()
    {
        using var a = await Provider.GenerateKeyAsync(Context, Ct);
        using var b = await Provider.GenerateKeyAsync(Context, Ct);
        Assert.Equal(32, a.Plaintext.Length);
        Assert.NotEqual(a.Plaintext, b.Plaintext);
        Assert.NotEqual(a.WrappedKey, b.WrappedKey);
        Assert.True(a.WrappedKey.AsSpan().IndexOf(a.Plaintext.AsSpan(0, 8)) < 0, "the wrapped key must not contain the key");
        Assert.Equal(a.Plaintext, await Provider.UnwrapKeyAsync(a.WrappedKey, Context, Ct));
    }

    [Theory]
    [InlineData("other", "ann", "user-key/1")]
    [InlineData("acme", "bob", "user-key/1")]
    [InlineData("acme", "ann", "user-key/2")]
    [InlineData("", "acmeann", "user-key/1")]
    public async Task A_wrapped_key_does_not_unwrap_in_another_context(string tenant, string user, string obj)
    {
        using var key = await Provider.GenerateKeyAsync(Context, Ct);
        var ex = await Assert.ThrowsAnyAsync<EncryptionException>(() => Provider.UnwrapKeyAsync(key.WrappedKey, new KeyContext(tenant, user, obj), Ct));
        Assert.Equal(EncryptionErrorCode.KeyUnwrapFailed, ex.ErrorCode);
    }

    [Fact]
    public async Task A_modified_wrapped_key_is_refused()
    {
        using var key = await Provider.GenerateKeyAsync(Context, Ct);
        for (int i = 0; i < key.WrappedKey.Length; i += Math.Max(1, key.WrappedKey.Length / 8))
        {
            var modified = key.WrappedKey.ToArray();
            modified[i] ^= 0x01;
            await Assert.ThrowsAnyAsync<EncryptionException>(() => Provider.UnwrapKeyAsync(modified, Context, Ct));
        }

        await Assert.ThrowsAnyAsync<EncryptionException>(() => Provider.UnwrapKeyAsync(key.WrappedKey.AsMemory(0, key.WrappedKey.Length - 1), Context, Ct));
        await Assert.ThrowsAnyAsync<EncryptionException>(() => Provider.UnwrapKeyAsync(ReadOnlyMemory<byte>.Empty, Context, Ct));
    }

    [Fact]
    public async Task Rotation_keeps_old_keys_readable_and_rewraps_them_under_the_new_key()
    {
        using var key = await Provider.GenerateKeyAsync(Context, Ct);
        await RotateAsync(Provider);
        Assert.Equal(key.Plaintext, await Provider.UnwrapKeyAsync(key.WrappedKey, Context, Ct));
        var rewrapped = await Provider.RewrapKeyAsync(key.WrappedKey, Context, Ct);
        Assert.NotEqual(key.WrappedKey, rewrapped);
        await Assert.ThrowsAnyAsync<EncryptionException>(() => Provider.RewrapKeyAsync(key.WrappedKey, Context with { UserId = "bob" }, Ct));

        await RetireOldKeysAsync(Provider);
        Assert.Equal(key.Plaintext, await Provider.UnwrapKeyAsync(rewrapped, Context, Ct));
        await Assert.ThrowsAnyAsync<EncryptionException>(() => Provider.UnwrapKeyAsync(key.WrappedKey, Context, Ct));
    }

    [Fact]
    public async Task Concurrent_calls_are_safe()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            var context = new KeyContext("acme", "user" + i, "user-key/1");
            using var key = await Provider.GenerateKeyAsync(context, Ct);
            var unwrapped = await Provider.UnwrapKeyAsync(key.WrappedKey, context, Ct);
            return CryptographicOperations.FixedTimeEquals(key.Plaintext, unwrapped);
        }));
        Assert.All(results, Assert.True);
    }

    [Fact]
    public async Task A_cancelled_token_stops_every_call()
    {
        using var key = await Provider.GenerateKeyAsync(Context, Ct);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Provider.GenerateKeyAsync(Context, cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Provider.UnwrapKeyAsync(key.WrappedKey, Context, cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Provider.RewrapKeyAsync(key.WrappedKey, Context, cts.Token));
    }

    [Fact]
    public async Task The_whole_hierarchy_runs_on_the_provider_rotation_and_shredding_included()
    {
        var blobs = new InMemoryBlobStore();
        var records = new BlobUserKeyStore(new InMemoryBlobStore());
        var keys = new UserKeyManager(Provider, records);
        var store = new EncryptedBlobStore(blobs, keys, new EncryptedBlobStoreOptions { OwnerOf = k => new KeyOwner("acme", k.Value[..k.Value.IndexOf('/', StringComparison.Ordinal)]) });
        var audio = RandomNumberGenerator.GetBytes(100_000);
        await store.PutBytesAsync(BlobKey.Parse("ann/a.mp3"), audio, null, Ct);
        await store.PutBytesAsync(BlobKey.Parse("bob/a.mp3"), audio, null, Ct);

        // After a rotation the app runs with the rotated provider (for KMS: configured with the new key).
        await RotateAsync(Provider);
        Assert.Equal(new MasterKeyRotationResult(2, 2), await new UserKeyManager(Provider, records).RotateMasterKeyAsync(Ct));
        await RetireOldKeysAsync(Provider);

        var fresh = new EncryptedBlobStore(blobs, new UserKeyManager(Provider, records), new EncryptedBlobStoreOptions { OwnerOf = k => new KeyOwner("acme", k.Value[..k.Value.IndexOf('/', StringComparison.Ordinal)]) });
        Assert.Equal(audio, await fresh.ReadAllBytesAsync(BlobKey.Parse("ann/a.mp3"), cancellationToken: Ct));

        // Destroyed through one instance: that instance and any started later refuse at once.
        await keys.DestroyUserKeyAsync(new KeyOwner("acme", "ann"), Ct);
        await Assert.ThrowsAsync<KeyDestroyedException>(() => store.OpenReadAsync(BlobKey.Parse("ann/a.mp3"), null, Ct));
        fresh = new EncryptedBlobStore(blobs, new UserKeyManager(Provider, records), new EncryptedBlobStoreOptions { OwnerOf = k => new KeyOwner("acme", k.Value[..k.Value.IndexOf('/', StringComparison.Ordinal)]) });
        await Assert.ThrowsAsync<KeyDestroyedException>(() => fresh.OpenReadAsync(BlobKey.Parse("ann/a.mp3"), null, Ct));
        Assert.Equal(audio, await fresh.ReadAllBytesAsync(BlobKey.Parse("bob/a.mp3"), cancellationToken: Ct));
    }
}
