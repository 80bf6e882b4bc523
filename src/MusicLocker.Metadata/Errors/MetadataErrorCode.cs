namespace MusicLocker.Metadata;

/// <summary>What went wrong in a metadata store operation.</summary>
public enum MetadataErrorCode
{
    /// <summary>An error the store could not classify.</summary>
    Unknown = 0,

    /// <summary>The user, track, playlist, entry, reservation, upload session or key named does not exist (for that user).</summary>
    NotFound,

    /// <summary>A write lost a race or broke a uniqueness or version condition; nothing was changed.</summary>
    Conflict,

    /// <summary>The bytes asked for do not fit in the user's quota.</summary>
    QuotaExceeded,

    /// <summary>The database schema is newer than this code, or not a MusicLocker schema.</summary>
    SchemaMismatch,

    /// <summary>The database could not be reached or failed the operation (see the inner exception); retrying later may succeed.</summary>
    Unavailable,

    /// <summary>
    /// An argument is malformed, out of range or over a documented cap (<see cref="MetadataLimits"/>); the exception
    /// (<see cref="MetadataArgumentException"/>) names the parameter. Retrying the same call fails the same way.
    /// </summary>
    InvalidArgument,
}
