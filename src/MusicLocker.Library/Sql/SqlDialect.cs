using System.Data.Common;

namespace MusicLocker.Library.Sql;

/// <summary>What differs between the databases the shared SQL engine runs on. Everything else is one SQL text for both.</summary>
internal abstract class SqlDialect : IAsyncDisposable
{
    /// <summary>Opens a ready connection (per-connection settings applied).</summary>
    public abstract ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Appended to a SELECT that reads a row the transaction will then change: PostgreSQL's <c>FOR UPDATE</c>; empty on
    /// SQLite, whose write transactions (BEGIN IMMEDIATE) already hold the database's single write lock.
    /// </summary>
    public abstract string ForUpdate { get; }

    /// <summary>A shared row lock on table alias <paramref name="alias"/> (PostgreSQL <c>FOR SHARE OF</c>); empty on SQLite.</summary>
    public abstract string ForShareOf(string alias);

    /// <summary>The FROM clause of a search; must expose the tracks table as <c>t</c>.</summary>
    public abstract string SearchSource { get; }

    /// <summary>The WHERE condition of a search, taking the query from parameter <c>@q</c>.</summary>
    public abstract string SearchPredicate { get; }

    /// <summary>
    /// The unique, insertion-ordered column search results are ordered by (descending: newest first) and paged on. Chosen
    /// so the database can walk its full-text index in that order and stop after one page, however many tracks match.
    /// </summary>
    public abstract string SearchOrderColumn { get; }

    /// <summary>Turns folded words into the database's full-text query for one user's tracks (every word, as a prefix).</summary>
    public abstract string BuildSearchQuery(string userId, IReadOnlyList<string> words);

    /// <summary>Whether the error is a unique or primary-key violation.</summary>
    public abstract bool IsUniqueViolation(DbException exception);

    /// <summary>Whether the error is a foreign-key violation.</summary>
    public abstract bool IsForeignKeyViolation(DbException exception);

    /// <summary>
    /// Whether the database refused a value the caller gave (out of range, not encodable, a query too complex): a backstop
    /// behind the validation at the API boundary, so such errors are never reported as transient.
    /// </summary>
    public virtual bool IsInvalidInput(DbException exception) => false;

    /// <summary>Whether retrying the whole transaction may succeed (serialization failure, deadlock).</summary>
    public abstract bool IsTransient(DbException exception);

    /// <inheritdoc />
    public abstract ValueTask DisposeAsync();
}
