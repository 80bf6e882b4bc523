using MusicLocker.Crypto;
using MusicLocker.Storage;

namespace MusicLocker.Testing.Crypto;

/// <summary>
/// What <see cref="IUserKeyStore"/> promises the crypto layer, run against every implementation (a subclass only says how
/// to create an empty store): records read back exactly as written, creation is create-only, replacement is If-Match on a
/// version tag that changes with every write, a tombstone cannot be overwritten by a stale writer, owners are kept apart
/// by tenant and user, and every owner is listed once.
/// </summary>
public abstract class UserKeyStoreConformanceTests : IAsyncLifetime
{
    private IUserKeyStore? _store;

    /// <summary>The store under test, empty at the start of each test (skips the test, or fails it under CI, when its server is missing).</summary>
    protected IUserKeyStore Store
    {
        get
        {
            if (_store is null)
            {
                TestEnvironment.RequireServer(false, UnavailableReason ?? "the store could not be created");
            }

            return _store!;
        }
    }

    /// <summary>Why the store cannot run here, or <see langword="null"/> when it can.</summary>
    protected virtual string? UnavailableReason => null;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Creates an empty store for one test.</summary>
    protected abstract Task<IUserKeyStore> CreateStoreAsync();

    /// <summary>Releases what <see cref="CreateStoreAsync"/> created.</summary>
    protected virtual ValueTask DisposeStoreAsync() => ValueTask.CompletedTask;

    public async ValueTask InitializeAsync()
    {
        if (UnavailableReason is null)
        {
            _store = await CreateStoreAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (UnavailableReason is null)
        {
            await DisposeStoreAsync();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>A record with two versions, the first retired, times with sub-millisecond ticks and non-UTC offsets.</summary>
    protected static UserKeyRecord TwoVersions(byte fill = 1) => new(2,
    [
        new WrappedUserKey(1, Enumerable.Repeat(fill, 45).ToArray(), new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)).AddTicks(1234567))
        {
            RetiredAt = new DateTimeOffset(2025, 6, 7, 8, 9, 10, TimeSpan.FromMinutes(-330)).AddTicks(7),
        },
        new WrappedUserKey(2, Enumerable.Repeat((byte)(fill + 1), 61).ToArray(), new DateTimeOffset(2025, 6, 7, 8, 9, 10, TimeSpan.Zero).AddTicks(99)),
    ]);

    [Fact]
    public async Task A_missing_record_is_key_not_found()
    {
        var error = await Assert.ThrowsAsync<EncryptionException>(() => Store.ReadAsync(new KeyOwner("t", "nobody"), Ct));
        Assert.Equal(EncryptionErrorCode.KeyNotFound, error.ErrorCode);
    }

    [Fact]
    public async Task A_record_reads_back_exactly_as_written()
    {
        var owner = new KeyOwner("acme", "ann");
        var written = TwoVersions();
        var etag = await Store.CreateAsync(owner, written, Ct);
        Assert.False(etag.IsDefault);

        var read = await Store.ReadAsync(owner, Ct);
        Assert.Equal(etag, read.ETag);
        AssertSame(written, read.Record);
    }

    [Fact]
    public async Task Creation_is_create_only()
    {
        var owner = new KeyOwner("", "ann");
        var etag = await Store.CreateAsync(owner, TwoVersions(1), Ct);

        var again = await Assert.ThrowsAsync<EncryptionException>(() => Store.CreateAsync(owner, TwoVersions(7), Ct));
        Assert.Equal(EncryptionErrorCode.ConcurrentUpdate, again.ErrorCode);
        var read = await Store.ReadAsync(owner, Ct);
        Assert.Equal(etag, read.ETag);
        AssertSame(TwoVersions(1), read.Record);
    }

    [Fact]
    public async Task Replacement_is_if_match_and_every_write_changes_the_tag()
    {
        var owner = new KeyOwner("t", "ann");
        var first = await Store.CreateAsync(owner, TwoVersions(1), Ct);
        var one = new UserKeyRecord(3, [new WrappedUserKey(3, new byte[] { 9, 9, 9 }, DateTimeOffset.UnixEpoch)]);
        var second = await Store.ReplaceAsync(owner, one, first, Ct);
        Assert.NotEqual(first, second);
        AssertSame(one, (await Store.ReadAsync(owner, Ct)).Record);

        var stale = await Assert.ThrowsAsync<EncryptionException>(() => Store.ReplaceAsync(owner, TwoVersions(5), first, Ct));
        Assert.Equal(EncryptionErrorCode.ConcurrentUpdate, stale.ErrorCode);
        AssertSame(one, (await Store.ReadAsync(owner, Ct)).Record);

        var missing = await Assert.ThrowsAsync<EncryptionException>(() => Store.ReplaceAsync(new KeyOwner("t", "bob"), one, second, Ct));
        Assert.Equal(EncryptionErrorCode.ConcurrentUpdate, missing.ErrorCode);
        await Assert.ThrowsAsync<EncryptionException>(() => Store.ReadAsync(new KeyOwner("t", "bob"), Ct));
    }

    [Fact]
    public async Task A_tombstone_holds_against_a_stale_writer_and_a_second_creation()
    {
        var owner = new KeyOwner("t", "ann");
        var live = await Store.CreateAsync(owner, TwoVersions(), Ct);
        var destroyedAt = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.FromHours(1)).AddTicks(3);
        await Store.ReplaceAsync(owner, UserKeyRecord.Tombstone(destroyedAt), live, Ct);

        await Assert.ThrowsAsync<EncryptionException>(() => Store.ReplaceAsync(owner, TwoVersions(), live, Ct));
        await Assert.ThrowsAsync<EncryptionException>(() => Store.CreateAsync(owner, TwoVersions(), Ct));
        var read = await Store.ReadAsync(owner, Ct);
        Assert.True(read.Record.IsDestroyed);
        Assert.Equal(destroyedAt, read.Record.DestroyedAt);
        Assert.Equal(destroyedAt.Offset, read.Record.DestroyedAt!.Value.Offset);
        Assert.Empty(read.Record.Versions);
    }

    [Fact]
    public async Task Owners_are_kept_apart_and_listed_once_each()
    {
        KeyOwner[] owners = [new("", "ann"), new("acme", "ann"), new("ann", "acme"), new("a b", "100% müsic"), new(".", ".."), new("t", "user@example.com?x=1#y"), new("t", "日本")];
        for (int i = 0; i < owners.Length; i++)
        {
            await Store.CreateAsync(owners[i], TwoVersions((byte)(10 * i)), Ct);
        }

        await Store.ReplaceAsync(owners[1], UserKeyRecord.Tombstone(DateTimeOffset.UnixEpoch), (await Store.ReadAsync(owners[1], Ct)).ETag, Ct);
        var listed = await Store.ListOwnersAsync(Ct).ToListAsync(Ct);
        Assert.Equal(owners.OrderBy(o => o.ToString(), StringComparer.Ordinal), listed.OrderBy(o => o.ToString(), StringComparer.Ordinal));
        for (int i = 0; i < owners.Length; i++)
        {
            var read = await Store.ReadAsync(owners[i], Ct);
            if (i == 1)
            {
                Assert.True(read.Record.IsDestroyed);
            }
            else
            {
                AssertSame(TwoVersions((byte)(10 * i)), read.Record);
            }
        }
    }

    [Fact]
    public async Task A_tag_of_one_owner_does_not_replace_another_owners_record()
    {
        var ann = new KeyOwner("t", "ann");
        var bob = new KeyOwner("t", "bob");
        var annTag = await Store.CreateAsync(ann, TwoVersions(1), Ct);
        await Store.CreateAsync(bob, TwoVersions(2), Ct);

        await Assert.ThrowsAsync<EncryptionException>(() => Store.ReplaceAsync(bob, UserKeyRecord.Tombstone(DateTimeOffset.UnixEpoch), annTag, Ct));
        Assert.False((await Store.ReadAsync(bob, Ct)).Record.IsDestroyed);
    }

    [Fact]
    public async Task Of_racing_writers_exactly_one_wins()
    {
        var owner = new KeyOwner("t", "race");
        var creates = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Outcome(() => Store.CreateAsync(owner, TwoVersions((byte)i), Ct))));
        Assert.Equal(1, creates.Count(won => won));

        var tag = (await Store.ReadAsync(owner, Ct)).ETag;
        var replaces = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Outcome(() => Store.ReplaceAsync(owner, TwoVersions((byte)(50 + i)), tag, Ct))));
        Assert.Equal(1, replaces.Count(won => won));
        var read = await Store.ReadAsync(owner, Ct);
        Assert.Equal(2, read.Record.Versions.Count);

        static async Task<bool> Outcome(Func<Task<ETag>> write)
        {
            await Task.Yield();
            try
            {
                await write();
                return true;
            }
            catch (EncryptionException error) when (error.ErrorCode == EncryptionErrorCode.ConcurrentUpdate)
            {
                return false;
            }
        }
    }

    /// <summary>Field by field: versions in order, wrapped bytes, and every time with its ticks and offset.</summary>
    protected static void AssertSame(UserKeyRecord expected, UserKeyRecord actual)
    {
        Assert.Equal(expected.CurrentVersion, actual.CurrentVersion);
        Assert.Equal(expected.DestroyedAt, actual.DestroyedAt);
        Assert.Equal(expected.Versions.Count, actual.Versions.Count);
        for (int i = 0; i < expected.Versions.Count; i++)
        {
            var e = expected.Versions[i];
            var a = actual.Versions[i];
            Assert.Equal(e.Version, a.Version);
            Assert.Equal(e.WrappedKey.ToArray(), a.WrappedKey.ToArray());
            Assert.Equal((e.CreatedAt.UtcTicks, e.CreatedAt.Offset), (a.CreatedAt.UtcTicks, a.CreatedAt.Offset));
            Assert.Equal((e.RetiredAt?.UtcTicks, e.RetiredAt?.Offset), (a.RetiredAt?.UtcTicks, a.RetiredAt?.Offset));
        }
    }
}
