namespace MusicLocker.Metadata.Postgres;

/// <summary>Options of the PostgreSQL metadata store.</summary>
public sealed class PostgresMetadataStoreOptions : LockerMetadataOptions
{
    /// <summary>An Npgsql connection string (e.g. <c>Host=db;Database=locker;Username=locker;Password=…</c>).</summary>
    public string ConnectionString { get; set; } = string.Empty;

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new ArgumentException("ConnectionString must be set.", "options.ConnectionString");
        }
    }
}
