using MusicLocker.Metadata.Sql;
using Npgsql;

namespace MusicLocker.Metadata.Postgres;

/// <summary>
/// The metadata store on PostgreSQL, for apps running several instances: each instance opens its own store on the same
/// database; quota changes are atomic across them through row locks and conditional UPDATEs in the database.
/// </summary>
public static class PostgresMetadataStore
{
    /// <summary>The schema version this code writes.</summary>
    public static int SchemaVersion => PostgresSchema.LatestVersion;

    /// <summary>Opens the store, creating or upgrading the schema (instances starting together migrate one at a time).</summary>
    /// <exception cref="ArgumentNullException">The options or a required option is null.</exception>
    /// <exception cref="ArgumentException">An option is missing or out of range (the parameter name is <c>options.{Option}</c>), or the connection string is malformed.</exception>
    /// <exception cref="MetadataSchemaException">The database holds a newer schema than this code knows.</exception>
    /// <exception cref="LockerMetadataException">With <see cref="MetadataErrorCode.Unavailable"/>: the database could not be reached or migrated.</exception>
    public static Task<SqlMetadataStore> OpenAsync(PostgresMetadataStoreOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return SqlMetadataStore.OpenAsync(new PostgresDialect(NpgsqlDataSource.Create(options.ConnectionString)), options, cancellationToken);
    }
}
