using MusicLocker.Metadata.Sql;

namespace MusicLocker.Metadata.Sqlite;

/// <summary>
/// The embedded metadata store: one SQLite file in WAL mode (readers never wait for the writer), upgraded in place to
/// the current schema when opened. Safe for many threads and for several processes on one machine; for several
/// machines use the PostgreSQL store.
/// </summary>
public static class SqliteMetadataStore
{
    /// <summary>The schema version this code writes (<c>PRAGMA user_version</c>).</summary>
    public static int SchemaVersion => SqliteSchema.LatestVersion;

    /// <summary>Opens (creating or upgrading) the database and returns the store.</summary>
    /// <exception cref="ArgumentNullException">The options or a required option is null.</exception>
    /// <exception cref="ArgumentException">An option is missing or out of range (the parameter name is <c>options.{Option}</c>).</exception>
    /// <exception cref="MetadataSchemaException">The file holds a newer schema than this code knows.</exception>
    /// <exception cref="LockerMetadataException">With <see cref="MetadataErrorCode.Unavailable"/>: the file could not be opened or migrated.</exception>
    public static Task<SqlMetadataStore> OpenAsync(SqliteMetadataStoreOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var folder = Path.GetDirectoryName(Path.GetFullPath(options.DatabasePath));
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        return SqlMetadataStore.OpenAsync(new SqliteDialect(options.DatabasePath, options.BusyTimeout), options, cancellationToken);
    }
}
