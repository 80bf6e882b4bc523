using Microsoft.Data.Sqlite;
using MusicLocker.Metadata.Sqlite;
using MusicLocker.Testing;

namespace MusicLocker.Metadata.Tests;

/// <summary>The account-activity migration: accounts that existed before it start active at the upgrade, never "idle since 1970".</summary>
public sealed class AccountActivityMigrationTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public async Task Accounts_of_an_older_database_start_their_inactivity_at_the_upgrade()
    {
        var ct = TestContext.Current.CancellationToken;
        string path = Path.Combine(_folder.Path, "v6.db");
        var dialect = new SqliteDialect(path, TimeSpan.FromSeconds(5));
        await SqliteSchema.MigrateAsync(dialect, 6, ct);
        await dialect.DisposeAsync();
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync(ct);
            await using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO locker_users (user_id, plan_id, created_at) VALUES ('old', 'free', 0)";
            await insert.ExecuteNonQueryAsync(ct);
        }

        await using var store = await SqliteMetadataStore.OpenAsync(new SqliteMetadataStoreOptions { DatabasePath = path }, ct);

        Assert.Empty(await store.Users.ListInactiveAsync(TimeSpan.FromDays(1), null, 10, ct));
        var idle = Assert.Single(await store.Users.ListInactiveAsync(TimeSpan.Zero, null, 10, ct));
        Assert.Equal("old", idle.UserId);
        Assert.InRange(idle.LastActiveAt, DateTimeOffset.UtcNow - TimeSpan.FromMinutes(10), DateTimeOffset.UtcNow + TimeSpan.FromMinutes(1));
    }

    public void Dispose() => _folder.Dispose();
}
