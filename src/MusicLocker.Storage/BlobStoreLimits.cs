namespace MusicLocker.Storage;

/// <summary>Limits every <see cref="IBlobStore"/> shares, so code written against one provider runs on all.</summary>
public static class BlobStoreLimits
{
    /// <summary>The largest part number of a multipart upload.</summary>
    public const int MaxPartNumber = 10_000;

    /// <summary>
    /// The smallest part, but for the last, that every provider accepts (S3's limit). Stores that accept smaller parts
    /// do not enforce it; write parts of at least this size to stay portable.
    /// </summary>
    public const int MinPartSize = 5 * 1024 * 1024;

    /// <summary>The most bytes of user metadata (names plus values).</summary>
    public const int MaxMetadataBytes = 2048;

    /// <summary>The longest content type, in characters (all ASCII): room for any registered media type and a few parameters.</summary>
    public const int MaxContentTypeLength = 256;
}
