using System.Data.Common;
using BenchmarkDotNet.Attributes;
using MusicLocker.Metadata;

namespace MusicLocker.Benchmarks.Metadata;

/// <summary>
/// One upload's quota protocol — reserve, then commit the actual size — through the store, against the same two
/// transactions written as raw ADO.NET (the conditional UPDATE + INSERT, then DELETE + UPDATE) on connections set up
/// the same way. The store adds the row lock, the sweep of expired reservations and the error reporting.
/// Operations per second = 1 / Mean.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class QuotaReserveCommitBenchmarks
{
    private const string User = "bench-user";
    private BenchmarkDatabase _database = null!;

    [Params(MetadataProvider.Sqlite, MetadataProvider.Postgres)]
    public MetadataProvider Provider { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _database = await BenchmarkDatabase.StartAsync(Provider);
        await _database.Store.Users.EnsureAsync(User);
        await _database.Store.Quota.SetPlanAsync(User, "gb-1000", long.MaxValue / 4);
    }

    [GlobalCleanup]
    public Task CleanupAsync() => _database.DisposeAsync().AsTask();

    [Benchmark(Baseline = true)]
    public async Task RawAdoNet_ReserveCommit()
    {
        const long bytes = 4_000_000;
        var id = Guid.NewGuid();
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await using (var connection = await _database.OpenRawAsync())
        {
            await using var transaction = await connection.BeginTransactionAsync();
            await ExecAsync(connection, transaction,
                "UPDATE locker_users SET reserved_bytes = reserved_bytes + @b WHERE user_id = @u AND used_bytes + reserved_bytes + @b <= @limit",
                ("b", bytes), ("u", User), ("limit", long.MaxValue / 4));
            await ExecAsync(connection, transaction, "INSERT INTO quota_reservations (id, user_id, bytes, created_at, expires_at) VALUES (@id, @u, @b, @now, @exp)",
                ("id", id), ("u", User), ("b", bytes), ("now", now), ("exp", now + 3_600_000));
            await transaction.CommitAsync();
        }

        await using (var connection = await _database.OpenRawAsync())
        {
            await using var transaction = await connection.BeginTransactionAsync();
            await ExecAsync(connection, transaction, "DELETE FROM quota_reservations WHERE id = @id", ("id", id));
            await ExecAsync(connection, transaction, "UPDATE locker_users SET reserved_bytes = reserved_bytes - @b, used_bytes = used_bytes + @b WHERE user_id = @u",
                ("b", bytes), ("u", User));
            await transaction.CommitAsync();
        }
    }

    [Benchmark]
    public async Task Store_ReserveCommit()
    {
        var reservation = await _database.Store.Quota.ReserveAsync(User, 4_000_000);
        await _database.Store.Quota.CommitAsync(User, reservation.Id, 3_900_000);
    }

    [Benchmark]
    public async Task Store_ReserveAddTrack()
    {
        var reservation = await _database.Store.Quota.ReserveAsync(User, 4_000_000);
        var hash = Guid.NewGuid().ToString("N");
        await _database.Store.Tracks.AddTrackAsync(User, new NewTrack(
            new TrackTags("Benchmark Song", "Benchmark Artist", "Benchmark Album", null, "Rock", 2020, 1, 10, 1, 1),
            TimeSpan.FromMinutes(3), "mp3", 320, 3_900_000, hash, hash, false, "users/" + User + "/" + hash), reservation.Id);
    }

    private static async Task ExecAsync(DbConnection connection, DbTransaction transaction, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = BenchmarkDatabase.RawCommand(connection, transaction, sql, parameters);
        await command.ExecuteNonQueryAsync();
    }
}
