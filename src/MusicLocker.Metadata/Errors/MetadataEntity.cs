namespace MusicLocker.Metadata;

/// <summary>The kinds of records a metadata store holds; names the missing one in a <see cref="MetadataNotFoundException"/>.</summary>
public enum MetadataEntity
{
    /// <summary>A locker user.</summary>
    User = 1,

    /// <summary>A catalogued track.</summary>
    Track,

    /// <summary>A playlist.</summary>
    Playlist,

    /// <summary>One entry (a track at a position) of a playlist.</summary>
    PlaylistEntry,

    /// <summary>A quota reservation (committed, released or expired).</summary>
    QuotaReservation,

    /// <summary>An upload session.</summary>
    UploadSession,

    /// <summary>A quota plan (an id the app's <see cref="Quota.QuotaPlanCatalog"/> does not define).</summary>
    QuotaPlan,
}
