using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MusicLocker.Metadata;
using MusicLocker.Metadata.Postgres;

namespace MusicLocker.DependencyInjection;

/// <summary><c>UsePostgres</c>: the locker's catalog, quota ledger, upload sessions and user key records in PostgreSQL.</summary>
public static class PostgresMetadataExtensions
{
    /// <summary>The configuration section the settings are read from by convention: <c>MusicLocker:Postgres</c>.</summary>
    public const string SectionPath = "MusicLocker:Postgres";

    /// <summary>
    /// Keeps the metadata in PostgreSQL with <see cref="PostgresMetadataStoreOptions"/> bound from
    /// <paramref name="configuration"/> (e.g. <c>configuration.GetSection("MusicLocker:Postgres")</c>:
    /// <c>ConnectionString</c>), checked when the app starts (<c>MusicLocker:Postgres:ConnectionString</c> must be a
    /// valid Npgsql connection string). The schema is created or migrated when the locker opens. The reservation
    /// lifetime and the clock are the locker's (<c>MusicLocker:ReservationLifetime</c>), as for SQLite.
    /// </summary>
    public static MusicLockerBuilder UsePostgres(this MusicLockerBuilder builder, IConfiguration configuration, Action<PostgresMetadataStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return Use(builder, (configuration as IConfigurationSection)?.Path ?? SectionPath, configuration, configure);
    }

    /// <summary>Keeps the metadata in PostgreSQL at <paramref name="connectionString"/>.</summary>
    public static MusicLockerBuilder UsePostgres(this MusicLockerBuilder builder, string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return Use(builder, SectionPath, null, o => o.ConnectionString = connectionString);
    }

    private static MusicLockerBuilder Use(MusicLockerBuilder builder, string name, IConfiguration? configuration, Action<PostgresMetadataStoreOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ConfigurePart<PostgresMetadataStoreOptions>(name, configuration, configure, Check);
        return builder.UseMetadata<PostgresMetadataStoreOptions>(name, static async (options, context, cancellationToken) =>
            await PostgresMetadataStore.OpenAsync(
                new PostgresMetadataStoreOptions
                {
                    ConnectionString = options.ConnectionString,
                    Plans = options.Plans,
                    StorageKeyPrefix = options.StorageKeyPrefix,
                    ReservationLifetime = context.Settings.ReservationLifetime,
                    TimeProvider = context.TimeProvider,
                    LoggerFactory = options.LoggerFactory ?? context.Services.GetService<ILoggerFactory>(),
                },
                cancellationToken).ConfigureAwait(false));
    }

    /// <summary>The store's own rules, and a connection string Npgsql can parse (else the first open would fail).</summary>
    private static void Check(PostgresMetadataStoreOptions options)
    {
        options.Validate();
        try
        {
            _ = new Npgsql.NpgsqlConnectionStringBuilder(options.ConnectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or KeyNotFoundException)
        {
            throw new ArgumentException($"ConnectionString is not a valid Npgsql connection string ({ex.Message}).", "options.ConnectionString", ex);
        }
    }
}
