using MusicLocker.Quota;

namespace MusicLocker.Library.Sql;

/// <summary>The store both providers return: the shared SQL engine over their dialect.</summary>
internal sealed class SqlMetadataStore : ILockerMetadataStore
{
    private readonly SqlDialect _dialect;

    public SqlMetadataStore(SqlDialect dialect, LockerMetadataOptions options)
    {
        _dialect = dialect;
        var context = new SqlStoreContext(dialect, options);
        var ledger = new SqlQuotaLedger(context);
        Quota = ledger;
        Users = new SqlUserDirectory(context);
        Tracks = new SqlTrackCatalog(context, ledger);
        Playlists = new SqlPlaylistStore(context);
        History = new SqlListeningHistory(context);
        UploadSessions = new SqlUploadSessionStore(context);
        UserKeys = new SqlUserKeyStore(context);
        Plans = options.Plans;
    }

    public IUserDirectory Users { get; }

    public ITrackCatalog Tracks { get; }

    public IPlaylistStore Playlists { get; }

    public IListeningHistory History { get; }

    public IQuotaLedger Quota { get; }

    public IUploadSessionStore UploadSessions { get; }

    public IUserKeyStore UserKeys { get; }

    public QuotaPlanCatalog Plans { get; }

    public ValueTask DisposeAsync() => _dialect.DisposeAsync();
}
