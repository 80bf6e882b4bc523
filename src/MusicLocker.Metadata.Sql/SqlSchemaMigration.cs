namespace MusicLocker.Metadata.Sql;

/// <summary>What <see cref="SqlDialect.MigrateAsync"/> did: the schema version it found and the one it left.</summary>
/// <param name="FromVersion">The version found (0 for an empty database).</param>
/// <param name="ToVersion">The version the database has now.</param>
public readonly record struct SqlSchemaMigration(int FromVersion, int ToVersion)
{
    /// <summary>Whether any migration ran.</summary>
    public bool Migrated => ToVersion != FromVersion;
}
