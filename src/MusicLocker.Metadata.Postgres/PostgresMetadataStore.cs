using MusicLocker.Library;
using MusicLocker.Library.Sql;
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
    /// <exception cref="ArgumentException">An option is missing or out of range.</exception>
    /// <exception cref="MetadataSchemaException">The database holds a newer schema than this code knows.</exception>
    /// <exception cref="LockerMetadataException">With <see cref="MetadataErrorCode.Unavailable"/>: the database could not be reached or migrated.</exception>
    public static async Task<ILockerMetadataStore> OpenAsync(PostgresMetadataStoreOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var dialect = new PostgresDialect(NpgsqlDataSource.Create(options.ConnectionString));
        try
        {
            await PostgresSchema.MigrateAsync(dialect, PostgresSchema.LatestVersion, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            await dialect.DisposeAsync().ConfigureAwait(false);
            if (exception is NpgsqlException database)
            {
                throw new LockerMetadataException(MetadataErrorCode.Unavailable, $"Could not open the PostgreSQL metadata store: {database.Message}", database);
            }

            throw;
        }

        return new SqlMetadataStore(dialect, options);
    }
}
