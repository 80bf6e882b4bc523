namespace MusicLocker.Storage;

/// <summary>
/// An open read of a blob or of a range of it: the bytes as a stream, and the properties of the version they come from.
/// Dispose it to release the connection or file handle.
/// </summary>
public sealed class BlobDownload : IAsyncDisposable, IDisposable
{
    /// <summary>Creates a download result (for providers).</summary>
    public BlobDownload(Stream content, BlobProperties properties, long offset, long length)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(properties);
        Content = content;
        Properties = properties;
        Offset = offset;
        Length = length;
    }

    /// <summary>The bytes of the range, read once from start to end.</summary>
    public Stream Content { get; }

    /// <summary>The properties of the whole blob version the bytes come from.</summary>
    public BlobProperties Properties { get; }

    /// <summary>The offset in the blob of the first byte of <see cref="Content"/>.</summary>
    public long Offset { get; }

    /// <summary>The number of bytes <see cref="Content"/> holds.</summary>
    public long Length { get; }

    /// <inheritdoc />
    public void Dispose() => Content.Dispose();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Content.DisposeAsync();
}
