using System.Data.Common;

namespace MusicLocker.Metadata.Sql;

/// <summary>
/// What differs between the databases the shared SQL engine runs on; everything else is one SQL text for all of them.
/// A provider (SQLite, PostgreSQL, …) derives from this class, creates its schema in <see cref="MigrateAsync"/>, and
/// opens its store with <see cref="SqlMetadataStore.OpenAsync"/>. The engine calls every member from many threads at
/// once; an implementation must be thread-safe.
/// </summary>
/// <remarks>
/// The schema a dialect creates must hold the tables and columns the engine's SQL names (see the SQLite and PostgreSQL
/// providers' schema classes for the reference): <c>locker_users</c>, <c>tracks</c>, <c>playlists</c>,
/// <c>playlist_entries</c>, <c>plays</c>, <c>quota_reservations</c>, <c>upload_sessions</c> and
/// <c>user_key_records</c>/<c>user_key_versions</c>. Times are Unix milliseconds in 64-bit integers; ids are GUIDs.
/// </remarks>
public abstract class SqlDialect : IAsyncDisposable
{
    /// <summary>
    /// Names the database in error messages (e.g. <c>the SQLite file '/var/lib/locker.db'</c>); never includes a password
    /// or other secret of the connection.
    /// </summary>
    public virtual string DisplayName => "the metadata database";

    /// <summary>Opens a ready connection (per-connection settings applied). The engine disposes it.</summary>
    public abstract ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Creates the schema, or brings an older one up to date, before the store is used. Must be safe when several
    /// processes open the same database at once (each migration runs once) and must refuse, with
    /// <see cref="MetadataSchemaException"/>, a schema newer than the provider knows.
    /// </summary>
    /// <returns>The schema version found and the version the database now has.</returns>
    public abstract Task<SqlSchemaMigration> MigrateAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Appended to a SELECT that reads a row the transaction will then change: PostgreSQL's <c>FOR UPDATE</c>; empty on
    /// SQLite, whose write transactions (BEGIN IMMEDIATE) already hold the database's single write lock.
    /// </summary>
    public abstract string ForUpdate { get; }

    /// <summary>A shared row lock on table alias <paramref name="tableAlias"/> (PostgreSQL <c>FOR SHARE OF</c>); empty on SQLite.</summary>
    public abstract string ForShareOf(string tableAlias);

    /// <summary>The FROM clause of a search; must expose the tracks table as <c>t</c>.</summary>
    public abstract string SearchSource { get; }

    /// <summary>The WHERE condition of a search, taking the query from parameter <c>@q</c>.</summary>
    public abstract string SearchPredicate { get; }

    /// <summary>
    /// The unique, insertion-ordered column search results are ordered by (descending: newest first) and paged on. Chosen
    /// so the database can walk its full-text index in that order and stop after one page, however many tracks match.
    /// </summary>
    public abstract string SearchOrderColumn { get; }

    /// <summary>
    /// Turns folded words (lower-case letters and digits, at most <see cref="MetadataLimits.MaxSearchWords"/>) into the
    /// database's full-text query for one user's tracks: every word, as a prefix. Must quote or escape so no word can
    /// become query syntax.
    /// </summary>
    public abstract string BuildSearchQuery(string userId, IReadOnlyList<string> words);

    /// <summary>
    /// A <c>COLLATE</c> clause (with its leading space) that makes text compare as bytes, ordinal like a storage listing;
    /// empty where text already compares so (SQLite's default BINARY collation).
    /// </summary>
    public virtual string OrdinalCollation => string.Empty;

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

    /// <summary>Releases the dialect's connections (pools, data sources).</summary>
    public abstract ValueTask DisposeAsync();
}
