namespace MusicLocker.Storage;

/// <summary>One blob in a listing.</summary>
/// <param name="Key">The key.</param>
/// <param name="Length">The length in bytes.</param>
/// <param name="ETag">The version tag.</param>
/// <param name="LastModified">When the listed version was written.</param>
public readonly record struct BlobItem(BlobKey Key, long Length, ETag ETag, DateTimeOffset LastModified);
