using System.Data.Common;
using System.Text;
using Microsoft.Data.Sqlite;
using MusicLocker.Library.Sql;

namespace MusicLocker.Metadata.Sqlite;

/// <summary>SQLite specifics: pooled connections with foreign keys on, FTS5 search, and its error codes.</summary>
internal sealed class SqliteDialect : SqlDialect
{
    private const int ConstraintError = 19;
    private const int ConstraintForeignKey = 787;
    private const int ConstraintPrimaryKey = 1555;
    private const int ConstraintUnique = 2067;

    private readonly string _connectionString;
    private readonly string _connectionSetup;

    public SqliteDialect(string databasePath, TimeSpan busyTimeout)
    {
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

    public override string SearchSource => "track_search JOIN tracks t ON t.seq = track_search.rowid";

    public override string SearchPredicate => "track_search MATCH @q";

    public override string ForShareOf(string alias) => string.Empty;

    public override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            using var setup = connection.CreateCommand();
            setup.CommandText = _connectionSetup;
            await setup.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Each word as a quoted FTS5 prefix term; adjacent terms are ANDed. Words are letters and digits only, so quoting is safe.</summary>
    public override string BuildSearchQuery(IReadOnlyList<string> words)
    {
        var query = new StringBuilder();
        foreach (var word in words)
        {
            query.Append(query.Length == 0 ? "\"" : " \"").Append(word.Replace("\"", "\"\"", StringComparison.Ordinal)).Append("\"*");
        }

        return query.ToString();
    }

    public override bool IsUniqueViolation(DbException exception) =>
        exception is SqliteException { SqliteErrorCode: ConstraintError, SqliteExtendedErrorCode: ConstraintUnique or ConstraintPrimaryKey };

    public override bool IsForeignKeyViolation(DbException exception) =>
        exception is SqliteException { SqliteErrorCode: ConstraintError, SqliteExtendedErrorCode: ConstraintForeignKey };

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
