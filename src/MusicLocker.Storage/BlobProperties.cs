namespace MusicLocker.Storage;

/// <summary>What a store knows of one version of a blob.</summary>
public sealed class BlobProperties
{
    private static readonly IReadOnlyDictionary<string, string> NoMetadata = System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty;

    /// <summary>Creates the properties of a blob version.</summary>
    public BlobProperties(BlobKey key, long length, ETag eTag, DateTimeOffset lastModified, string? contentType = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Key = key;
        Length = length;
        ETag = eTag;
        LastModified = lastModified;
        ContentType = contentType;
        // A private, read-only copy: neither the provider's dictionary nor a caller casting this one can change it later.
        Metadata = metadata is null || metadata.Count == 0
            ? NoMetadata
            : new System.Collections.ObjectModel.ReadOnlyDictionary<string, string>(new Dictionary<string, string>(metadata, (metadata as Dictionary<string, string>)?.Comparer ?? StringComparer.Ordinal));
    }

    /// <summary>The blob's key.</summary>
    public BlobKey Key { get; }

    /// <summary>The blob's length in bytes.</summary>
    public long Length { get; }

    /// <summary>The version tag.</summary>
    public ETag ETag { get; }

    /// <summary>When this version was written.</summary>
    public DateTimeOffset LastModified { get; }

    /// <summary>The content type given when it was written, if any.</summary>
    public string? ContentType { get; }

    /// <summary>User metadata given when it was written (names are lower-case ASCII; see <see cref="PutBlobOptions.Metadata"/>).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }
}
