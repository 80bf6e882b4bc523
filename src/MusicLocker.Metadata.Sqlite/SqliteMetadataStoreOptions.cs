namespace MusicLocker.Metadata.Sqlite;

/// <summary>Options of the embedded SQLite metadata store.</summary>
public sealed class SqliteMetadataStoreOptions : LockerMetadataOptions
{
    /// <summary>The database file (created with its folder when missing). Its <c>-wal</c> and <c>-shm</c> files sit beside it.</summary>
    public string DatabasePath { get; set; } = string.Empty;

    /// <summary>How long a statement waits for another writer's lock before failing. Default 30 seconds.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (string.IsNullOrWhiteSpace(DatabasePath))
        {
            throw new ArgumentException("DatabasePath must name the database file.", "options.DatabasePath");
        }

        if (BusyTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException("options.BusyTimeout", BusyTimeout, "BusyTimeout must be positive.");
        }
    }
}
