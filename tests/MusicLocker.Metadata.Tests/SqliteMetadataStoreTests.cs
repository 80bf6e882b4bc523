using Microsoft.Data.Sqlite;
using MusicLocker.Metadata;
using MusicLocker.Metadata.Quota;
using MusicLocker.Metadata.Sqlite;
using MusicLocker.Metadata.Tests.Conformance;

namespace MusicLocker.Metadata.Tests;

/// <summary>The conformance suite on SQLite (a file per test; several store instances are several connection pools on it), plus SQLite's own guarantees.</summary>
public sealed class SqliteMetadataStoreTests : MetadataStoreConformance
{
    private readonly string _folder = Directory.CreateTempSubdirectory("musiclocker-sqlite-").FullName;

    private string DatabasePath => Path.Combine(_folder, "locker.db");

    protected override Task CreateDatabaseAsync() => Task.CompletedTask;

    protected override async Task<ILockerMetadataStore> OpenStoreAsync(LockerMetadataOptions settings) =>
        await SqliteMetadataStore.OpenAsync(new SqliteMetadataStoreOptions
        {
            DatabasePath = DatabasePath,
            Plans = settings.Plans,
            ReservationLifetime = settings.ReservationLifetime,
            TimeProvider = settings.TimeProvider,
            LoggerFactory = settings.LoggerFactory,
        }, Ct);

    protected override async Task<System.Data.Common.DbConnection> OpenRawConnectionAsync()
    {
        var connection = new SqliteConnection($"Data Source={DatabasePath}");
        await connection.OpenAsync(Ct);
        return connection;
    }

    protected override ValueTask DeleteDatabaseAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task The_database_is_one_file_in_WAL_mode_at_the_latest_schema()
    {
        await NewUserAsync();
        await using var connection = new SqliteConnection($"Data Source={DatabasePath}");
        await connection.OpenAsync(Ct);
        Assert.Equal("wal", await ScalarAsync(connection, "PRAGMA journal_mode"));
        Assert.Equal((long)SqliteMetadataStore.SchemaVersion, await ScalarAsync(connection, "PRAGMA user_version"));
        Assert.True(SqliteMetadataStore.SchemaVersion >= 6, "the key records came in version 6; later migrations may follow");
    }

    [Fact]
    public async Task Every_pooled_connection_has_the_store_settings()
    {
        await NewUserAsync();
        var dialect = new SqliteDialect(DatabasePath, TimeSpan.FromSeconds(7));
        for (int i = 0; i < 3; i++)
        {
            await using var connection = (SqliteConnection)await dialect.OpenAsync(Ct);
            Assert.Equal(1L, await ScalarAsync(connection, "PRAGMA synchronous"));
            Assert.Equal(7_000L, await ScalarAsync(connection, "PRAGMA busy_timeout"));
            Assert.Equal(1L, await ScalarAsync(connection, "PRAGMA foreign_keys"));
        }

        await dialect.DisposeAsync();
    }

    [Fact]
    public async Task Data_survives_closing_and_reopening_the_file()
    {
        var user = await NewUserAsync();
        var track = await AddAsync(user, Track("Persistent", "Artist"));
        await Store.DisposeAsync();
        SqliteConnection.ClearAllPools();

        var reopened = await OpenAnotherAsync();
        Assert.Equal(track, await reopened.Tracks.GetTrackAsync(user, track.Id, Ct));
        Assert.Equal(1_000, (await reopened.Quota.GetStatusAsync(user, Ct)).UsedBytes);
    }

    [Fact]
    public async Task A_version_1_database_is_upgraded_in_place_and_its_tracks_become_searchable()
    {
        string oldPath = Path.Combine(_folder, "old.db");
        var dialect = new SqliteDialect(oldPath, TimeSpan.FromSeconds(5));
        await SqliteSchema.MigrateAsync(dialect, 1, Ct);
        await using (var connection = new SqliteConnection($"Data Source={oldPath};Pooling=False"))
        {
            await connection.OpenAsync(Ct);
            Assert.Equal(1L, await ScalarAsync(connection, "PRAGMA user_version"));
            await ExecAsync(connection, "INSERT INTO locker_users (user_id, plan_id, used_bytes, reserved_bytes, history_enabled, created_at) VALUES ('old', 'free', 4000, 0, 1, 0)");
            var id = Guid.NewGuid();
            await using var insert = connection.CreateCommand();
            insert.CommandText =
                "INSERT INTO tracks (id, user_id, title, artist, album, album_artist, genre, year, track_no, track_count, disc_no, disc_count, title_key, artist_key, album_key, " +
                "album_artist_key, genre_key, duration_ms, codec, bitrate_kbps, size_bytes, charged_bytes, content_hash, audio_hash, is_purchased, added_at, storage_key) VALUES " +
                "(@id, 'old', 'Déjà Vu', 'Beyoncé', 'B''Day', NULL, NULL, NULL, 0, NULL, 0, NULL, 'deja vu', 'beyonce', 'b day', 'beyonce', '', 1000, 'mp3', 128, 4000, 4000, 'h', 'a', 0, 0, 'k')";
            insert.Parameters.AddWithValue("@id", id);
            await insert.ExecuteNonQueryAsync(Ct);
        }

        await dialect.DisposeAsync();
        await using var store = await SqliteMetadataStore.OpenAsync(new SqliteMetadataStoreOptions { DatabasePath = oldPath, TimeProvider = Time }, Ct);
        var found = await store.Tracks.SearchPageAsync("old", "deja beyonce", cancellationToken: Ct);
        Assert.Equal("Déjà Vu", Assert.Single(found.Items).Tags.Title);
        Assert.Equal(4_000, (await store.Quota.GetStatusAsync("old", Ct)).UsedBytes);
        var added = await store.Tracks.AddTrackAsync("old", Owned("old", Track("New after upgrade", "Beyoncé")), null, Ct);
        Assert.Equal(2, (await store.Tracks.SearchPageAsync("old", "BEYONCE", cancellationToken: Ct)).Items.Count);
        Assert.Contains(added.Id, (await store.Tracks.SearchPageAsync("old", "upgrade", cancellationToken: Ct)).Items.Select(t => t.Id));
    }

    [Fact]
    public async Task Upgrading_charges_uploaded_files_that_rode_free_on_a_hash_alone()
    {
        string oldPath = Path.Combine(_folder, "v4.db");
        var dialect = new SqliteDialect(oldPath, TimeSpan.FromSeconds(5));
        await SqliteSchema.MigrateAsync(dialect, 4, Ct);
        await using (var connection = new SqliteConnection($"Data Source={oldPath};Pooling=False"))
        {
            await connection.OpenAsync(Ct);
            await LegacyChargeRepairCase.InsertAsync(connection, "old", Ct);
        }

        await dialect.DisposeAsync();
        await using var store = await SqliteMetadataStore.OpenAsync(new SqliteMetadataStoreOptions { DatabasePath = oldPath, TimeProvider = Time }, Ct);
        await LegacyChargeRepairCase.AssertRepairedAsync(store, "old", Ct);
    }

    [Fact]
    public async Task A_database_from_a_newer_version_is_refused()
    {
        await NewUserAsync();
        await using (var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            await connection.OpenAsync(Ct);
            await ExecAsync(connection, "PRAGMA user_version = 99");
        }

        var error = await Assert.ThrowsAsync<MetadataSchemaException>(() => OpenAnotherAsync());
        Assert.Equal(99, error.FoundVersion);
        Assert.Contains("99", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Options_are_validated_naming_the_option()
    {
        var noPath = await Assert.ThrowsAsync<ArgumentException>(() => SqliteMetadataStore.OpenAsync(new SqliteMetadataStoreOptions(), Ct));
        Assert.Equal("options.DatabasePath", noPath.ParamName);
        var lifetime = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => SqliteMetadataStore.OpenAsync(
            new SqliteMetadataStoreOptions { DatabasePath = DatabasePath, ReservationLifetime = TimeSpan.Zero }, Ct));
        Assert.Equal("options.ReservationLifetime", lifetime.ParamName);
        var busy = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => SqliteMetadataStore.OpenAsync(
            new SqliteMetadataStoreOptions { DatabasePath = DatabasePath, BusyTimeout = TimeSpan.FromSeconds(-1) }, Ct));
        Assert.Equal("options.BusyTimeout", busy.ParamName);
        var clock = await Assert.ThrowsAsync<ArgumentNullException>(() => SqliteMetadataStore.OpenAsync(
            new SqliteMetadataStoreOptions { DatabasePath = DatabasePath, TimeProvider = null! }, Ct));
        Assert.Equal("options.TimeProvider", clock.ParamName);
    }

    [Fact]
    public async Task Later_changes_to_the_options_object_have_no_effect_on_an_open_store()
    {
        var options = new SqliteMetadataStoreOptions
        {
            DatabasePath = Path.Combine(_folder, "copied.db"),
            Plans = new QuotaPlanCatalog([new QuotaPlan("small", "Small", 1_000)], "small"),
            ReservationLifetime = TimeSpan.FromMinutes(5),
            TimeProvider = Time,
            StorageKeyPrefix = user => $"first/{user}/",
        };
        await using var store = await SqliteMetadataStore.OpenAsync(options, Ct);

        options.DatabasePath = Path.Combine(_folder, "elsewhere.db");
        options.Plans = QuotaPlanCatalog.Default;
        options.ReservationLifetime = TimeSpan.FromDays(9);
        options.TimeProvider = TimeProvider.System;
        options.StorageKeyPrefix = user => $"second/{user}/";

        await store.Users.EnsureAsync("u", null, Ct);
        var status = await store.Quota.GetStatusAsync("u", Ct);
        Assert.Equal(("small", 1_000L), (status.Plan.Id, status.LimitBytes));
        var reservation = await store.Quota.ReserveAsync("u", 10, Ct);
        Assert.Equal(Time.GetUtcNow() + TimeSpan.FromMinutes(5), reservation.ExpiresAt);
        await store.Tracks.AddTrackAsync("u", Track("Kept rule", size: 10) with { StorageKey = "first/u/a" }, null, Ct);
        var refused = await Assert.ThrowsAsync<MetadataArgumentException>(() => store.Tracks.AddTrackAsync("u", Track("New rule", size: 10) with { StorageKey = "second/u/a" }, null, Ct));
        Assert.Equal("track.StorageKey", refused.ParameterName);
        Assert.False(File.Exists(options.DatabasePath));
    }

    [Fact]
    public async Task A_file_that_cannot_be_opened_is_a_typed_error()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "a-folder.db"));
        var error = await Assert.ThrowsAsync<LockerMetadataException>(() => SqliteMetadataStore.OpenAsync(
            new SqliteMetadataStoreOptions { DatabasePath = Path.Combine(_folder, "a-folder.db") }, Ct));
        Assert.Equal(MetadataErrorCode.Unavailable, error.ErrorCode);
        Assert.IsType<SqliteException>(error.InnerException);
        Assert.Contains("a-folder.db", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_custom_storage_key_prefix_is_the_one_ownership_rule()
    {
        await using var store = await SqliteMetadataStore.OpenAsync(new SqliteMetadataStoreOptions
        {
            DatabasePath = Path.Combine(_folder, "tenant.db"),
            TimeProvider = Time,
            StorageKeyPrefix = userId => $"tenant-7/{userId}/audio/",
        }, Ct);
        await store.Users.EnsureAsync("ann", null, Ct);
        var track = await store.Tracks.AddTrackAsync("ann", Track("Mine", storageKey: "tenant-7/ann/audio/mine.mp3"), null, Ct);
        var error = await Assert.ThrowsAsync<MetadataArgumentException>(() => store.Tracks.AddTrackAsync("ann", Track("Default", storageKey: "users/ann/x.mp3"), null, Ct));
        Assert.Equal("track.StorageKey", error.ParameterName);
        Assert.Contains("tenant-7/ann/audio/", error.Message, StringComparison.Ordinal);
        Assert.Equal([track.StorageKey], (await store.Users.DeleteAsync("ann", Ct)).StorageKeys);
    }

    [Theory]
    [InlineData("SELECT sum(x) FROM (SELECT 9223372036854775807 AS x UNION ALL SELECT 1)", true)]
    [InlineData("SELECT zeroblob(2000000000)", true)]
    [InlineData("SELECT * FROM no_such_table", false)]
    public async Task Values_sqlite_refuses_are_invalid_input_not_an_outage(string sql, bool invalidInput)
    {
        var dialect = new SqliteDialect(DatabasePath, TimeSpan.FromSeconds(5));
        await using (var connection = (SqliteConnection)await dialect.OpenAsync(Ct))
        {
            var error = await Assert.ThrowsAsync<SqliteException>(() => ScalarAsync(connection, sql));
            Assert.Equal(invalidInput, dialect.IsInvalidInput(error));
            Assert.False(dialect.IsTransient(error));
        }

        await dialect.DisposeAsync();
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(TestContext.Current.CancellationToken);
    }

    private static async Task ExecAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }
}
