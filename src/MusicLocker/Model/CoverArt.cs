namespace MusicLocker;

/// <summary>A track's cover picture: its bytes as a stream and its MIME type. Dispose it.</summary>
public sealed class CoverArt : IAsyncDisposable, IDisposable
{
    internal CoverArt(Stream content, string mimeType, long length)
    {
        Content = content;
        MimeType = mimeType;
        Length = length;
    }

    /// <summary>The picture's bytes.</summary>
    public Stream Content { get; }

    /// <summary>Its MIME type (<c>image/jpeg</c>, <c>image/png</c>, …).</summary>
    public string MimeType { get; }

    /// <summary>Its length in bytes.</summary>
    public long Length { get; }

    /// <inheritdoc />
    public void Dispose() => Content.Dispose();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Content.DisposeAsync();
}

/// <summary>A plaintext byte range of a stored track. Dispose it.</summary>
public sealed class TrackContent : IAsyncDisposable, IDisposable
{
    internal TrackContent(Stream content, long offset, long length, long totalLength, string contentType)
    {
        Content = content;
        Offset = offset;
        Length = length;
        TotalLength = totalLength;
        ContentType = contentType;
    }

    /// <summary>The bytes of the range, decrypted as they are read.</summary>
    public Stream Content { get; }

    /// <summary>Where the range starts in the original file.</summary>
    public long Offset { get; }

    /// <summary>The range's length.</summary>
    public long Length { get; }

    /// <summary>The original file's length.</summary>
    public long TotalLength { get; }

    /// <summary>The file's MIME type (<c>audio/mpeg</c>, <c>audio/aac</c>, <c>audio/mp4</c>).</summary>
    public string ContentType { get; }

    /// <inheritdoc />
    public void Dispose() => Content.Dispose();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Content.DisposeAsync();
}
