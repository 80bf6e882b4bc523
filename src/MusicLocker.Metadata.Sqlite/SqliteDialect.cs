using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Data.Sqlite;
using MusicLocker.Metadata.Sql;

namespace MusicLocker.Metadata.Sqlite;

/// <summary>SQLite specifics: pooled connections with foreign keys on, FTS5 search, and its error codes.</summary>
internal sealed class SqliteDialect : SqlDialect
{
    private const int ConstraintError = 19;
    private const int ConstraintForeignKey = 787;
    private const int ConstraintPrimaryKey = 1555;
    private const int ConstraintUnique = 2067;
    private const int Error = 1;
    private const int TooBig = 18;
    private const int Mismatch = 20;
    private const int Range = 25;

    /// <summary>
    /// Native connections already given the per-connection pragmas. Pooled <see cref="SqliteConnection"/>s reuse the same
    /// native handle, which keeps its settings, so the pragmas run once per handle rather than once per operation.
    /// </summary>
    private static readonly ConditionalWeakTable<SQLitePCL.sqlite3, object> Configured = new();

    private readonly string _connectionString;
    private readonly string _connectionSetup;
    private readonly string _databasePath;

    public SqliteDialect(string databasePath, TimeSpan busyTimeout)
    {
        _databasePath = databasePath;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            ForeignKeys = true,
            DefaultTimeout = (int)Math.Ceiling(busyTimeout.TotalSeconds),
        }.ToString();

        // NORMAL is durable in WAL mode except for the last transactions before a power cut (never corrupting), and saves
        // an fsync per commit, which is what makes quota reservations cheap.
        _connectionSetup = $"PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = {(long)busyTimeout.TotalMilliseconds};";
    }

    public override string ForUpdate => string.Empty;

    public override string DisplayName => $"the SQLite metadata store '{_databasePath}'";

    public override async Task<SqlSchemaMigration> MigrateAsync(CancellationToken cancellationToken) =>
        new(await SqliteSchema.MigrateAsync(this, SqliteSchema.LatestVersion, cancellationToken).ConfigureAwait(false), SqliteSchema.LatestVersion);

    public override string SearchSource => "track_search JOIN tracks t ON t.seq = track_search.rowid";

    public override string SearchPredicate => "track_search MATCH @q";

    public override string SearchOrderColumn => "track_search.rowid";

    public override string ForShareOf(string tableAlias) => string.Empty;

    public override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var handle = connection.Handle;
            if (handle is null || !Configured.TryGetValue(handle, out _))
            {
                using var setup = connection.CreateCommand();
                setup.CommandText = _connectionSetup;
                await setup.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                if (handle is not null)
                {
                    Configured.AddOrUpdate(handle, _connectionSetup);
                }
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The user's owner token AND every word as a quoted prefix term in the search text. The owner token makes FTS5
    /// intersect with the user's own postings, so one user's search does not walk other users' matches. Words are
    /// letters and digits only; quoting is still applied so no word can become FTS5 syntax.
    /// </summary>
    public override string BuildSearchQuery(string userId, IReadOnlyList<string> words)
    {
        var query = new StringBuilder("search_owner : \"").Append(SqliteSchema.OwnerToken(userId)).Append("\" AND search_text : (");
        for (int i = 0; i < words.Count; i++)
        {
            query.Append(i == 0 ? "\"" : " AND \"").Append(words[i].Replace("\"", "\"\"", StringComparison.Ordinal)).Append("\"*");
        }

        return query.Append(')').ToString();
    }

    public override bool IsUniqueViolation(DbException exception) =>
        exception is SqliteException { SqliteErrorCode: ConstraintError, SqliteExtendedErrorCode: ConstraintUnique or ConstraintPrimaryKey };

    public override bool IsForeignKeyViolation(DbException exception) =>
        exception is SqliteException { SqliteErrorCode: ConstraintError, SqliteExtendedErrorCode: ConstraintForeignKey };

    /// <summary>A string or blob too big, a datatype mismatch, a parameter out of range, or an integer overflow in arithmetic.</summary>
    public override bool IsInvalidInput(DbException exception) => exception is SqliteException sqlite
        && (sqlite.SqliteErrorCode is TooBig or Mismatch or Range
            || (sqlite.SqliteErrorCode == Error && sqlite.Message.Contains("integer overflow", StringComparison.Ordinal)));

    // Busy and locked errors are retried inside Microsoft.Data.Sqlite up to the busy timeout; past it, give up.
    public override bool IsTransient(DbException exception) => false;

    public override ValueTask DisposeAsync()
    {
        // Closes the pooled handles of this file so that it can be moved or deleted after the store is disposed.
        using (var connection = new SqliteConnection(_connectionString))
        {
            SqliteConnection.ClearPool(connection);
        }

        return ValueTask.CompletedTask;
    }
}
