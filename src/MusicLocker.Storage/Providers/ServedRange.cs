namespace MusicLocker.Storage.Providers;

/// <summary>The bytes of a response to pass on, as <see cref="RangeResponse.Resolve"/> checked them.</summary>
/// <param name="Offset">The offset in the blob of the first byte (the response body starts with it).</param>
/// <param name="Length">How many bytes of the body to pass on.</param>
/// <param name="BlobLength">The length of the whole blob.</param>
public readonly record struct ServedRange(long Offset, long Length, long BlobLength);
