namespace MusicLocker;

/// <summary>What went wrong in a locker call. <c>docs/errors.md</c> ("## Locker") says what to do about each.</summary>
public enum LockerErrorCode
{
    /// <summary>An error the locker did not classify; <see cref="Exception.InnerException"/> holds the layer's error.</summary>
    Unknown = 0,

    /// <summary>The file is not MP3, ADTS AAC or MP4/M4A audio. Nothing was stored.</summary>
    UnsupportedFormat,

    /// <summary>The audio is DRM-protected and cannot be played outside its store. Nothing was stored.</summary>
    DrmProtected,

    /// <summary>The file holds no audio. Nothing was stored.</summary>
    EmptyFile,

    /// <summary>The file claims a supported format but is broken where audio was expected. Nothing was stored.</summary>
    CorruptFile,

    /// <summary>The file is larger or deeper than the media limits allow. Nothing was stored.</summary>
    FileTooComplex,

    /// <summary>A local file named by the caller does not exist.</summary>
    FileNotFound,

    /// <summary>A local file could not be opened or read (a folder, access refused, an I/O error).</summary>
    FileUnreadable,

    /// <summary>The upload does not fit in the user's quota (<see cref="LockerQuotaExceededException"/>). Nothing was stored.</summary>
    QuotaExceeded,

    /// <summary>The user has no such track (another user's track id reads the same).</summary>
    TrackNotFound,

    /// <summary>The track has no cover picture.</summary>
    CoverArtNotFound,

    /// <summary>The user has no such playlist or playlist entry.</summary>
    PlaylistNotFound,

    /// <summary>The user has no such open upload session (completed, given up, swept, or another user's).</summary>
    UploadNotFound,

    /// <summary>The bytes given to <c>ResumeAsync</c> are not the file the session started with, or changed during the upload.</summary>
    SourceChanged,

    /// <summary>A paging cursor was not made by this listing for this user.</summary>
    InvalidCursor,

    /// <summary>An argument breaks an input rule (the message names it).</summary>
    InvalidArgument,

    /// <summary>Another writer changed the same thing first; read again and retry.</summary>
    Conflict,

    /// <summary>The user's key was destroyed (the account was deleted): none of the user's stored objects can be read.</summary>
    KeyDestroyed,

    /// <summary>A stored object failed its integrity check (tampered or damaged ciphertext).</summary>
    IntegrityCheckFailed,

    /// <summary>The object store, the metadata database or the key service did not answer; retry later.</summary>
    Unavailable,

    /// <summary>The stores do not agree (a catalogued track whose bytes are missing); run reconcile.</summary>
    Inconsistent,

    /// <summary>An export's destination (folder or stream) could not be written: a full disk, refused access, a closed stream.</summary>
    DestinationUnwritable,

    /// <summary>
    /// The file's audio fingerprint (<see cref="LockerTrack.AudioHash"/>) equals one of the user's tracks but its audio
    /// bytes differ (a crafted collision): the locker holds one track per fingerprint, so the file is refused. Nothing was
    /// stored and the track already there is unchanged.
    /// </summary>
    AudioHashCollision,
}
