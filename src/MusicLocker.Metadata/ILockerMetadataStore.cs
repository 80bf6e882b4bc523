using MusicLocker.Metadata.Quota;

namespace MusicLocker.Metadata;

/// <summary>
/// The locker's metadata: users, the catalog, playlists, listening history, the quota ledger and upload sessions, in
/// one database. Each part is a focused interface. Implementations are thread-safe, open a
/// migrated schema, and make every multi-step change one database transaction.
/// </summary>
public interface ILockerMetadataStore : IAsyncDisposable
{
    /// <summary>The users.</summary>
    IUserDirectory Users { get; }

    /// <summary>The track catalog.</summary>
    ITrackCatalog Tracks { get; }

    /// <summary>Playlists.</summary>
    IPlaylistStore Playlists { get; }

    /// <summary>Listening history.</summary>
    IListeningHistory History { get; }

    /// <summary>The quota ledger.</summary>
    IQuotaLedger Quota { get; }

    /// <summary>Upload sessions.</summary>
    IUploadSessionStore UploadSessions { get; }

    /// <summary>Album lists in the orders players ask for.</summary>
    ILibraryCatalog Library { get; }

    /// <summary>Stars and ratings.</summary>
    IAnnotationStore Annotations { get; }

    /// <summary>API keys and app passwords.</summary>
    IAccessCredentialStore Credentials { get; }

    /// <summary>Cover-art edits (a picture the user set, or the cover removed).</summary>
    ITrackCoverStore Covers { get; }

    /// <summary>The plans users are on.</summary>
    QuotaPlanCatalog Plans { get; }
}
