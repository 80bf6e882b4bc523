using System.Collections.Concurrent;
using System.Data.Common;
using MusicLocker.Metadata;
using MusicLocker.Metadata.Sql;
using MusicLocker.Metadata.Sqlite;
using MusicLocker.Testing.Logging;

namespace MusicLocker.Metadata.Tests;

/// <summary>
/// A transaction the database chose as a serialization or deadlock victim is run again after a jittered, exponentially
/// growing delay measured on the store's <see cref="TimeProvider"/>, not immediately (which only repeats the collision).
/// </summary>
public sealed class SqlStoreContextRetryTests : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("musiclocker-retry-").FullName;
    private readonly DelayRecordingTimeProvider _time = new();
    private readonly RecordingLoggerFactory _logs = new();
    private readonly FlakyDialect _dialect;
    private readonly SqlStoreContext _context;

    public SqlStoreContextRetryTests()
    {
        _dialect = new FlakyDialect(new SqliteDialect(Path.Combine(_folder, "retry.db"), TimeSpan.FromSeconds(5)));
        _context = new SqlStoreContext(_dialect, new LockerMetadataOptions { TimeProvider = _time, LoggerFactory = _logs });
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Transient_failures_are_retried_after_growing_jittered_delays_on_the_injected_clock()
    {
        int attempts = 0;
        int result = await _context.WriteAsync((_, _) => ++attempts < 4 ? throw new VictimException() : Task.FromResult(attempts), Ct);

        Assert.Equal(4, result);
        Assert.Equal(3, _logs.Count(4010)); // one warning per retry
        var delays = _time.Delays.ToArray();
        Assert.Equal(3, delays.Length);
        for (int i = 0; i < delays.Length; i++)
        {
            var ceiling = SqlStoreContext.RetryBaseDelay * (1 << i);
            Assert.InRange(delays[i], ceiling / 2, ceiling);
        }
    }

    [Fact]
    public async Task After_the_last_attempt_the_failure_is_unavailable_and_transient()
    {
        int attempts = 0;
        var error = await Assert.ThrowsAsync<LockerMetadataException>(() => _context.WriteAsync<int>((_, _) =>
        {
            attempts++;
            throw new VictimException();
        }, Ct));

        Assert.Equal(SqlStoreContext.MaxTransientAttempts, attempts);
        Assert.Equal(SqlStoreContext.MaxTransientAttempts - 1, _time.Delays.Count);
        Assert.Equal(MetadataErrorCode.Unavailable, error.ErrorCode);
        Assert.True(error.IsTransient);
        Assert.IsType<VictimException>(error.InnerException);
    }

    [Fact]
    public async Task The_jitter_spreads_competing_retries_apart()
    {
        for (int i = 0; i < 40; i++)
        {
            bool failed = false;
            await _context.WriteAsync((_, _) => failed ? Task.FromResult(0) : throw Fail(ref failed), Ct);
        }

        Assert.Equal(40, _time.Delays.Count);
        Assert.True(_time.Delays.Distinct().Count() >= 4, "forty first retries should not all wait the same time");

        static VictimException Fail(ref bool failed)
        {
            failed = true;
            return new VictimException();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _dialect.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>The error a database raises for a serialization failure or deadlock victim.</summary>
    private sealed class VictimException : DbException
    {
        public VictimException()
            : base("could not serialize access due to concurrent update")
        {
        }
    }

    /// <summary>SQLite connections, with <see cref="VictimException"/> reported as transient.</summary>
    private sealed class FlakyDialect(SqlDialect inner) : SqlDialect
    {
        public override string ForUpdate => inner.ForUpdate;

        public override string SearchSource => inner.SearchSource;

        public override string SearchPredicate => inner.SearchPredicate;

        public override string SearchOrderColumn => inner.SearchOrderColumn;

        public override ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken) => inner.OpenAsync(cancellationToken);

        public override Task<SqlSchemaMigration> MigrateAsync(CancellationToken cancellationToken) => inner.MigrateAsync(cancellationToken);

        public override string ForShareOf(string tableAlias) => inner.ForShareOf(tableAlias);

        public override string BuildSearchQuery(string userId, IReadOnlyList<string> words) => inner.BuildSearchQuery(userId, words);

        public override bool IsUniqueViolation(DbException exception) => false;

        public override bool IsForeignKeyViolation(DbException exception) => false;

        public override bool IsTransient(DbException exception) => exception is VictimException;

        public override ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    /// <summary>A clock whose timers fire at once and record the delay asked for (what <c>Task.Delay(delay, timeProvider)</c> creates).</summary>
    private sealed class DelayRecordingTimeProvider : TimeProvider
    {
        public ConcurrentQueue<TimeSpan> Delays { get; } = new();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Delays.Enqueue(dueTime);
            return System.CreateTimer(callback, state, TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
    }
}
