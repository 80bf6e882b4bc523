namespace MusicLocker.Metadata;

/// <summary>
/// The caps every metadata store enforces at its API boundary, before any SQL runs. Input past a cap is refused with a
/// <see cref="MetadataArgumentException"/> naming the parameter; nothing is truncated. Lengths count UTF-16 code units.
/// </summary>
public static class MetadataLimits
{
    /// <summary>A user id: 1 to 200 characters, no control characters, no <c>/</c> (it separates the user's storage key prefix), well-formed UTF-16.</summary>
    public const int MaxUserIdLength = 200;

    /// <summary>A title, artist, album, album artist or genre tag.</summary>
    public const int MaxTagLength = 1_000;

    /// <summary>A comment tag.</summary>
    public const int MaxCommentLength = 10_000;

    /// <summary>A playlist name.</summary>
    public const int MaxNameLength = 500;

    /// <summary>An upload's file name.</summary>
    public const int MaxFileNameLength = 1_000;

    /// <summary>A codec name, content or audio hash, or plan id.</summary>
    public const int MaxIdentifierLength = 200;

    /// <summary>An object store's multipart upload id.</summary>
    public const int MaxUploadIdLength = 2_048;

    /// <summary>A storage key (S3's limit is 1,024 bytes).</summary>
    public const int MaxStorageKeyLength = 1_024;

    /// <summary>A search query before folding.</summary>
    public const int MaxSearchLength = 1_000;

    /// <summary>The words of a search query after folding (every word must match, as a prefix).</summary>
    public const int MaxSearchWords = 16;

    /// <summary>A page cursor as returned by a listing.</summary>
    public const int MaxCursorLength = 65_536;

    /// <summary>A wrapped user key (one version of a user key record).</summary>
    public const int MaxWrappedKeyBytes = 65_536;

    /// <summary>The wrapped versions one user key record keeps (current and retired, until purged).</summary>
    public const int MaxUserKeyVersions = 1_000;

    /// <summary>Any one size: a track, a reservation, a commit, a planned or stored object (1 PiB, 2^50 bytes).</summary>
    public const long MaxSizeBytes = 1L << 50;

    /// <summary>
    /// A quota limit, plan or override (2^62 bytes). With sizes capped at <see cref="MaxSizeBytes"/>, no sum the ledger
    /// computes (used + reserved + a new charge) can overflow a 64-bit integer.
    /// </summary>
    public const long MaxQuotaBytes = 1L << 62;
}
