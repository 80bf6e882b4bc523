using System.Data.Common;
using MusicLocker.Crypto;
using MusicLocker.Metadata.Quota;

namespace MusicLocker.Metadata.Sql;

/// <summary>
/// The store every SQL provider returns: the shared SQL engine over the provider's <see cref="SqlDialect"/>. A provider
/// creates its dialect and calls <see cref="OpenAsync"/>; apps use the provider's own <c>OpenAsync</c>.
/// </summary>
public sealed class SqlMetadataStore : ILockerMetadataStore
{
    private readonly SqlDialect _dialect;

    private SqlMetadataStore(SqlDialect dialect, SqlStoreContext context)
    {
        _dialect = dialect;
        var ledger = new SqlQuotaLedger(context);
        Quota = ledger;
        Users = new SqlUserDirectory(context);
        Tracks = new SqlTrackCatalog(context, ledger);
        Playlists = new SqlPlaylistStore(context);
        History = new SqlListeningHistory(context);
        UploadSessions = new SqlUploadSessionStore(context);
        UserKeys = new SqlUserKeyStore(context);
        Library = new SqlLibraryCatalog(context);
        Annotations = new SqlAnnotationStore(context);
        Credentials = new SqlAccessCredentialStore(context);
        Covers = new SqlTrackCoverStore(context);
        Plans = context.Plans;
    }

    /// <inheritdoc />
    public IUserDirectory Users { get; }

    /// <inheritdoc />
    public ITrackCatalog Tracks { get; }

    /// <inheritdoc />
    public IPlaylistStore Playlists { get; }

    /// <inheritdoc />
    public IListeningHistory History { get; }

    /// <inheritdoc />
    public IQuotaLedger Quota { get; }

    /// <inheritdoc />
    public IUploadSessionStore UploadSessions { get; }

    /// <inheritdoc />
    public ILibraryCatalog Library { get; }

    /// <inheritdoc />
    public IAnnotationStore Annotations { get; }

    /// <inheritdoc />
    public IAccessCredentialStore Credentials { get; }

    /// <inheritdoc />
    public ITrackCoverStore Covers { get; }

    /// <inheritdoc />
    public QuotaPlanCatalog Plans { get; }

    /// <summary>
    /// The crypto layer's user key records (<see cref="UserKeyManager"/>'s store), kept in this database so that a
    /// destroyed key's tombstone lives with the catalog it shreds: restoring a blob backup cannot bring the key back, and
    /// deleting the account leaves the tombstone. Create-only and If-Match writes, as <see cref="IUserKeyStore"/> requires.
    /// </summary>
    public IUserKeyStore UserKeys { get; }

    /// <summary>
    /// Validates and copies <paramref name="options"/> (later changes to the object have no effect), migrates the schema
    /// through <paramref name="dialect"/>, and returns the store, which owns the dialect from then on. On failure the
    /// dialect is disposed.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument or a required option is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="MetadataSchemaException">The database holds a newer schema than the provider knows.</exception>
    /// <exception cref="LockerMetadataException">With <see cref="MetadataErrorCode.Unavailable"/>: the database could not be reached or migrated.</exception>
    public static async Task<SqlMetadataStore> OpenAsync(SqlDialect dialect, LockerMetadataOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentNullException.ThrowIfNull(options);
        SqlStoreContext context;
        try
        {
            options.Validate();
            context = new SqlStoreContext(dialect, options);
        }
        catch
        {
            await dialect.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        try
        {
            await context.MigrateAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            await dialect.DisposeAsync().ConfigureAwait(false);
            if (exception is DbException database)
            {
                throw new LockerMetadataException(MetadataErrorCode.Unavailable, $"Could not open {dialect.DisplayName}: {database.Message}", database);
            }

            throw;
        }

        return new SqlMetadataStore(dialect, context);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _dialect.DisposeAsync();
}
