namespace MusicLocker.Storage;

/// <summary>Options of a put or of a multipart upload.</summary>
public sealed class PutBlobOptions
{
    /// <summary>The content type stored with the blob.</summary>
    public string? ContentType { get; init; }

    /// <summary>
    /// User metadata stored with the blob. Names are ASCII letters, digits and <c>-</c> (case-insensitive, stored lower-case,
    /// so they survive S3 and Azure); values are printable ASCII. At most 2 KiB in all.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>Conditions checked atomically with the write (for a multipart upload: at completion).</summary>
    public BlobRequestConditions? Conditions { get; init; }
}
