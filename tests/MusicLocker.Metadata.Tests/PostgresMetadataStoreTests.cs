using MusicLocker.Metadata;
using MusicLocker.Metadata.Postgres;
using MusicLocker.Metadata.Tests.Conformance;
using MusicLocker.Metadata.Tests.Servers;
using Npgsql;

namespace MusicLocker.Metadata.Tests;

/// <summary>The conformance suite on a real PostgreSQL (one database per test on the run's shared server), plus PostgreSQL's own guarantees.</summary>
public sealed class PostgresMetadataStoreTests(PostgresServer server) : MetadataStoreConformance
{
    private string? _connectionString;

    protected override string? UnavailableReason => server.Available ? null : server.UnavailableReason;

    protected override async Task CreateDatabaseAsync() => _connectionString = await server.CreateDatabaseAsync("conformance");

    protected override async Task<ILockerMetadataStore> OpenStoreAsync(LockerMetadataOptions settings) =>
        await PostgresMetadataStore.OpenAsync(new PostgresMetadataStoreOptions
        {
            ConnectionString = _connectionString!,
            Plans = settings.Plans,
            ReservationLifetime = settings.ReservationLifetime,
            TimeProvider = settings.TimeProvider,
            LoggerFactory = settings.LoggerFactory,
        }, Ct);

    protected override async Task<System.Data.Common.DbConnection> OpenRawConnectionAsync()
    {
        var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(Ct);
        return connection;
    }

    protected override async ValueTask DeleteDatabaseAsync()
    {
        if (_connectionString is null)
        {
            return;
        }

        await server.DropDatabaseAsync(_connectionString);
    }

    [Fact]
    public async Task An_unreachable_database_is_unavailable_and_the_message_names_it_without_the_password()
    {
        var error = await Assert.ThrowsAsync<LockerMetadataException>(() => PostgresMetadataStore.OpenAsync(new PostgresMetadataStoreOptions
        {
            ConnectionString = "Host=127.0.0.1;Port=1;Database=lockerdb;Username=locker;Password=hunter2-secret;Timeout=3",
        }, Ct));
        Assert.Equal(MetadataErrorCode.Unavailable, error.ErrorCode);
        Assert.True(error.IsTransient);
        Assert.Contains("127.0.0.1/lockerdb", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Instances_starting_together_migrate_the_schema_once()
    {
        _ = Store;
        var connectionString = await server.CreateDatabaseAsync("migrate");
        var opens = Enumerable.Range(0, 4).Select(_ => PostgresMetadataStore.OpenAsync(
            new PostgresMetadataStoreOptions { ConnectionString = connectionString, TimeProvider = Time }, Ct)).ToArray();
        var stores = await Task.WhenAll(opens);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand("SELECT version FROM musiclocker_schema", connection);
        Assert.Equal(PostgresMetadataStore.SchemaVersion, (int)(await command.ExecuteScalarAsync(Ct))!);
        await stores[0].Users.EnsureAsync("x", cancellationToken: Ct);
        Assert.Equal("x", (await stores[3].Users.GetAsync("x", Ct)).Id);
        foreach (var store in stores)
        {
            await store.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_version_1_database_is_upgraded_in_place()
    {
        _ = Store;
        var connectionString = await server.CreateDatabaseAsync("upgrade");
        await using (var dialect = new PostgresDialect(NpgsqlDataSource.Create(connectionString)))
        {
            await PostgresSchema.MigrateAsync(dialect, 1, Ct);
        }

        var id = Guid.NewGuid();
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync(Ct);
            await using var insert = new NpgsqlCommand(
                "INSERT INTO locker_users (user_id, plan_id, used_bytes, reserved_bytes, history_enabled, created_at) VALUES ('old', 'free', 4000, 0, TRUE, 0);" +
                "INSERT INTO tracks (id, user_id, title, artist, track_no, disc_no, title_key, artist_key, album_key, album_artist_key, genre_key, search_text, " +
                "duration_ms, codec, bitrate_kbps, size_bytes, charged_bytes, content_hash, audio_hash, is_purchased, added_at, storage_key) VALUES " +
                "(@id, 'old', 'Déjà Vu', 'Beyoncé', 0, 0, 'deja vu', 'beyonce', '', 'beyonce', '', 'deja vu beyonce', 1000, 'mp3', 128, 4000, 4000, 'h', 'a', FALSE, 0, 'k')",
                connection);
            insert.Parameters.AddWithValue("id", id);
            await insert.ExecuteNonQueryAsync(Ct);
        }

        await using var store = await PostgresMetadataStore.OpenAsync(new PostgresMetadataStoreOptions { ConnectionString = connectionString, TimeProvider = Time }, Ct);
        var track = await store.Tracks.GetTrackAsync("old", id, Ct);
        Assert.Null(track.Tags.Comment);
        var edited = await store.Tracks.UpdateTagsAsync("old", id, track.Tags with { Comment = "kept" }, Ct);
        Assert.Equal("kept", edited.Tags.Comment);
        Assert.Equal([id], (await store.Tracks.SearchPageAsync("old", "beyonce", cancellationToken: Ct)).Items.Select(t => t.Id));
        Assert.Equal(4_000, (await store.Quota.GetStatusAsync("old", Ct)).UsedBytes);
    }

    [Fact]
    public async Task An_unreachable_server_is_a_transient_typed_error()
    {
        _ = Store;
        int closedPort = MusicLocker.Testing.Servers.ServerProcess.FreePort();

        var error = await Assert.ThrowsAsync<LockerMetadataException>(() => PostgresMetadataStore.OpenAsync(
            new PostgresMetadataStoreOptions { ConnectionString = $"Host=127.0.0.1;Port={closedPort};Username=postgres;Timeout=3" }, Ct));
        Assert.Equal(MetadataErrorCode.Unavailable, error.ErrorCode);
        Assert.True(error.IsTransient);
        Assert.IsAssignableFrom<NpgsqlException>(error.InnerException);
    }

    [Fact]
    public async Task Upgrading_charges_uploaded_files_that_rode_free_on_a_hash_alone()
    {
        _ = Store;
        var connectionString = await server.CreateDatabaseAsync("legacy");
        await using (var dialect = new PostgresDialect(NpgsqlDataSource.Create(connectionString)))
        {
            await PostgresSchema.MigrateAsync(dialect, 2, Ct);
        }

        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync(Ct);
            await LegacyChargeRepairCase.InsertAsync(connection, "old", Ct);
        }

        await using var store = await PostgresMetadataStore.OpenAsync(new PostgresMetadataStoreOptions { ConnectionString = connectionString, TimeProvider = Time }, Ct);
        await LegacyChargeRepairCase.AssertRepairedAsync(store, "old", Ct);
    }

    [Theory]
    [InlineData("SELECT 9223372036854775807::bigint + 1", true)]
    [InlineData("SELECT convert_from('\\x00'::bytea, 'UTF8')", true)]
    [InlineData("SELECT 1/0", true)]
    [InlineData("SELECT * FROM no_such_table", false)]
    public async Task Values_postgres_refuses_are_invalid_input_not_an_outage(string sql, bool invalidInput)
    {
        _ = Store;
        await using var dialect = new PostgresDialect(NpgsqlDataSource.Create(_connectionString!));
        await using var connection = await dialect.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var error = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteScalarAsync(Ct));
        Assert.Equal(invalidInput, dialect.IsInvalidInput(error));
        Assert.False(dialect.IsTransient(error));
    }

    [Fact]
    public async Task A_database_from_a_newer_version_is_refused()
    {
        await NewUserAsync();
        await using (var connection = new NpgsqlConnection(_connectionString))
        {
            await connection.OpenAsync(Ct);
            await using var command = new NpgsqlCommand("UPDATE musiclocker_schema SET version = 99", connection);
            await command.ExecuteNonQueryAsync(Ct);
        }

        var error = await Assert.ThrowsAsync<MetadataSchemaException>(() => OpenAnotherAsync());
        Assert.Equal(99, error.FoundVersion);
    }
}
