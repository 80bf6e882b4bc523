using System.Data.Common;
using System.Text;
using MusicLocker.Metadata.Sql;
using Npgsql;

namespace MusicLocker.Metadata.Postgres;

/// <summary>PostgreSQL specifics: row locks, full-text search over a generated tsvector, and SQLSTATE codes.</summary>
internal sealed class PostgresDialect : SqlDialect
{
    private readonly NpgsqlDataSource _dataSource;

    public PostgresDialect(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <inheritdoc />
    public override string OrdinalCollation => " COLLATE \"C\"";

    public override string ForUpdate => " FOR UPDATE";

    /// <summary>Host and database only: the connection string's password never reaches a message.</summary>
    public override string DisplayName
    {
        get
        {
            var builder = new NpgsqlConnectionStringBuilder(_dataSource.ConnectionString);
            return $"the PostgreSQL metadata store '{builder.Host}/{builder.Database}'";
        }
    }

    public override async Task<SqlSchemaMigration> MigrateAsync(CancellationToken cancellationToken) =>
        new(await PostgresSchema.MigrateAsync(this, PostgresSchema.LatestVersion, cancellationToken).ConfigureAwait(false), PostgresSchema.LatestVersion);

    public override string SearchSource => "tracks t";

    public override string SearchPredicate => "t.search_vector @@ to_tsquery('simple', @q)";

    public override string SearchOrderColumn => "t.seq";

    public override string ForShareOf(string tableAlias) => " FOR SHARE OF " + tableAlias;

    public override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Every word as a prefix lexeme, ANDed. Words are folded letters and digits, so no tsquery operator can sneak in.</summary>
    public override string BuildSearchQuery(string userId, IReadOnlyList<string> words)
    {
        var query = new StringBuilder();
        foreach (var word in words)
        {
            query.Append(query.Length == 0 ? string.Empty : " & ").Append('\'').Append(word.Replace("'", "''", StringComparison.Ordinal)).Append("':*");
        }

        return query.ToString();
    }

    public override bool IsUniqueViolation(DbException exception) => exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    public override bool IsForeignKeyViolation(DbException exception) => exception is PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation };

    /// <summary>Class 22 (data exception: out of range, NUL or untranslatable characters) and class 54 (program limit exceeded: stack depth, too complex).</summary>
    public override bool IsInvalidInput(DbException exception) =>
        exception is PostgresException { SqlState: var state } && (state.StartsWith("22", StringComparison.Ordinal) || state.StartsWith("54", StringComparison.Ordinal));

    public override bool IsTransient(DbException exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected };

    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
