using Microsoft.Data.Sqlite;
using MusicLocker.Crypto;
using MusicLocker.Metadata.Postgres;
using MusicLocker.Metadata.Sql;
using MusicLocker.Metadata.Sqlite;
using MusicLocker.Metadata.Tests.Servers;
using MusicLocker.Storage.InMemory;
using MusicLocker.Testing.Crypto;
using Npgsql;

namespace MusicLocker.Metadata.Tests;

/// <summary>The crypto layer's key-store expectations against the SQLite store, plus what keeping keys beside the catalog adds.</summary>
public sealed class SqliteUserKeyStoreTests : UserKeyStoreConformanceTests
{
    private readonly string _folder = Directory.CreateTempSubdirectory("musiclocker-keys-").FullName;
    private SqlMetadataStore? _metadata;

    private string DatabasePath => Path.Combine(_folder, "keys.db");

    protected override async Task<IUserKeyStore> CreateStoreAsync()
    {
        _metadata = await SqliteMetadataStore.OpenAsync(new SqliteMetadataStoreOptions { DatabasePath = DatabasePath }, Ct);
        return _metadata.UserKeys;
    }

    protected override async ValueTask DisposeStoreAsync()
    {
        if (_metadata is not null)
        {
            await _metadata.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Deleting_the_account_leaves_the_destroyed_keys_tombstone()
    {
        var owner = new KeyOwner("", "ann");
        await _metadata!.Users.EnsureAsync("ann", null, Ct);
        var tag = await Store.CreateAsync(owner, TwoVersions(), Ct);
        await Store.ReplaceAsync(owner, UserKeyRecord.Tombstone(DateTimeOffset.UnixEpoch), tag, Ct);

        await _metadata.Users.DeleteAsync("ann", Ct);
        await _metadata.Users.EnsureAsync("ann", null, Ct); // the same id signs up again

        Assert.True((await Store.ReadAsync(owner, Ct)).Record.IsDestroyed);
        await Assert.ThrowsAsync<EncryptionException>(() => Store.CreateAsync(owner, TwoVersions(), Ct));
    }

    [Fact]
    public async Task A_default_owner_is_refused_and_nothing_is_stored()
    {
        // KeyOwner's constructor refuses ids the database would merge (unpaired surrogates); default(KeyOwner) skips it.
        var read = await Assert.ThrowsAsync<MetadataArgumentException>(() => Store.ReadAsync(default, Ct));
        Assert.Equal("owner", read.ParameterName);
        var create = await Assert.ThrowsAsync<MetadataArgumentException>(() => Store.CreateAsync(default, TwoVersions(), Ct));
        Assert.Equal("owner", create.ParameterName);
        Assert.Empty(await Store.ListOwnersAsync(Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task Records_out_of_bounds_are_refused_and_nothing_is_stored()
    {
        var owner = new KeyOwner("t", "u");
        var duplicate = new UserKeyRecord(1, [new WrappedUserKey(1, new byte[] { 1 }, DateTimeOffset.UnixEpoch), new WrappedUserKey(1, new byte[] { 2 }, DateTimeOffset.UnixEpoch)]);
        var empty = new UserKeyRecord(1, [new WrappedUserKey(1, ReadOnlyMemory<byte>.Empty, DateTimeOffset.UnixEpoch)]);
        var huge = new UserKeyRecord(1, [new WrappedUserKey(1, new byte[MetadataLimits.MaxWrappedKeyBytes + 1], DateTimeOffset.UnixEpoch)]);
        Assert.Equal("record.Versions[1].Version", (await Assert.ThrowsAsync<MetadataArgumentException>(() => Store.CreateAsync(owner, duplicate, Ct))).ParameterName);
        Assert.Equal("record.Versions[0].WrappedKey", (await Assert.ThrowsAsync<MetadataArgumentException>(() => Store.CreateAsync(owner, empty, Ct))).ParameterName);
        Assert.Equal("record.Versions[0].WrappedKey", (await Assert.ThrowsAsync<MetadataArgumentException>(() => Store.CreateAsync(owner, huge, Ct))).ParameterName);
        Assert.Equal("record", (await Assert.ThrowsAsync<MetadataArgumentException>(() => Store.CreateAsync(owner, null!, Ct))).ParameterName);
        await Assert.ThrowsAsync<EncryptionException>(() => Store.ReadAsync(owner, Ct));
    }

    [Fact]
    public async Task Listing_walks_every_page()
    {
        var owners = Enumerable.Range(0, SqlUserKeyStore.OwnerBatch + 3).Select(i => new KeyOwner(i % 2 == 0 ? "even" : "odd", $"user-{i:D4}")).ToList();
        foreach (var owner in owners)
        {
            await Store.CreateAsync(owner, UserKeyRecord.Tombstone(DateTimeOffset.UnixEpoch), Ct);
        }

        var listed = await Store.ListOwnersAsync(Ct).ToListAsync(Ct);
        Assert.Equal(owners.Count, listed.Count);
        Assert.Equal(owners.OrderBy(o => o.ToString(), StringComparer.Ordinal), listed);
    }

    [Fact]
    public async Task A_database_written_before_key_records_upgrades_and_keeps_them()
    {
        string oldPath = Path.Combine(_folder, "v5.db");
        var dialect = new SqliteDialect(oldPath, TimeSpan.FromSeconds(5));
        await SqliteSchema.MigrateAsync(dialect, 5, Ct);
        await dialect.DisposeAsync();

        await using var store = await SqliteMetadataStore.OpenAsync(new SqliteMetadataStoreOptions { DatabasePath = oldPath }, Ct);
        var tag = await store.UserKeys.CreateAsync(new KeyOwner("", "old"), TwoVersions(), Ct);
        Assert.Equal(tag, (await store.UserKeys.ReadAsync(new KeyOwner("", "old"), Ct)).ETag);
        Assert.True(SqliteMetadataStore.SchemaVersion >= 6);
    }
}

/// <summary>The crypto layer's key-store expectations against the PostgreSQL store (one database per test).</summary>
public sealed class PostgresUserKeyStoreTests(PostgresServer server) : UserKeyStoreConformanceTests
{
    private string? _connectionString;
    private SqlMetadataStore? _metadata;

    protected override string? UnavailableReason => server.Available ? null : server.UnavailableReason;

    protected override async Task<IUserKeyStore> CreateStoreAsync()
    {
        _connectionString = await server.CreateDatabaseAsync("keys");
        _metadata = await PostgresMetadataStore.OpenAsync(new PostgresMetadataStoreOptions { ConnectionString = _connectionString }, Ct);
        return _metadata.UserKeys;
    }

    protected override async ValueTask DisposeStoreAsync()
    {
        if (_metadata is not null)
        {
            await _metadata.DisposeAsync();
        }

        if (_connectionString is not null)
        {
            await server.DropDatabaseAsync(_connectionString);
        }
    }
}

/// <summary>The same suite on the crypto layer's own blob-backed store: the suite states what Crypto expects, not what SQL does.</summary>
public sealed class BlobUserKeyStoreConformance : UserKeyStoreConformanceTests
{
    protected override Task<IUserKeyStore> CreateStoreAsync() => Task.FromResult<IUserKeyStore>(new BlobUserKeyStore(new InMemoryBlobStore()));
}
