namespace MusicLocker.Storage;

/// <summary>Conveniences over <see cref="IBlobStore"/>, the same for every provider.</summary>
public static class BlobStoreExtensions
{
    /// <summary>Whether a blob has the key.</summary>
    public static async Task<bool> ExistsAsync(this IBlobStore store, BlobKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        try
        {
            await store.GetPropertiesAsync(key, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (BlobNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Writes a blob from bytes in memory.</summary>
    public static async Task<BlobProperties> PutBytesAsync(this IBlobStore store, BlobKey key, ReadOnlyMemory<byte> content, PutBlobOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        using var stream = new ReadOnlyMemoryStream(content);
        return await store.PutAsync(key, stream, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes a blob from a file.</summary>
    /// <exception cref="BlobStoreException"><see cref="BlobErrorCode.InvalidArgument"/> when the file is missing or cannot be opened, <see cref="BlobErrorCode.AccessDenied"/> when reading it is not allowed.</exception>
    public static async Task<BlobProperties> PutFileAsync(this IBlobStore store, BlobKey key, string path, PutBlobOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(path);
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan | FileOptions.Asynchronous);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The caller's source file, not the store: a missing or unreadable file is a bad argument, never a store failure.
            throw new BlobStoreException(
                ex is UnauthorizedAccessException ? BlobErrorCode.AccessDenied : BlobErrorCode.InvalidArgument,
                $"Cannot put '{key}' from the file '{path}': {ex.Message}",
                key.IsDefault ? null : key.Value,
                ex);
        }

        await using (file.ConfigureAwait(false))
        {
            return await store.PutAsync(key, file, options, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Copies a blob, or a range of it, into <paramref name="destination"/>.</summary>
    /// <returns>The properties of the version read.</returns>
    public static async Task<BlobProperties> DownloadToAsync(this IBlobStore store, BlobKey key, Stream destination, ReadBlobOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(destination);
        var download = await store.OpenReadAsync(key, options, cancellationToken).ConfigureAwait(false);
        await using (download.ConfigureAwait(false))
        {
            await download.Content.CopyToAsync(destination, 128 * 1024, cancellationToken).ConfigureAwait(false);
            return download.Properties;
        }
    }

    /// <summary>
    /// Reads a blob, or a range of it, into a new array. For small blobs only: refuses (before reading) a range longer than
    /// <paramref name="maxLength"/>; stream larger ones with <see cref="IBlobStore.OpenReadAsync"/>.
    /// </summary>
    public static async Task<byte[]> ReadAllBytesAsync(this IBlobStore store, BlobKey key, ReadBlobOptions? options = null, int maxLength = 64 * 1024 * 1024, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var download = await store.OpenReadAsync(key, options, cancellationToken).ConfigureAwait(false);
        await using (download.ConfigureAwait(false))
        {
            if (download.Length > maxLength)
            {
                throw new BlobStoreException(BlobErrorCode.InvalidArgument, $"Blob '{key}' range is {download.Length} bytes, more than the {maxLength} ReadAllBytesAsync allows; stream it with OpenReadAsync instead.", key.Value);
            }

            var bytes = new byte[download.Length];
            await download.Content.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
            return bytes;
        }
    }

    /// <summary>Reads into <paramref name="buffer"/> the bytes of the blob starting at <paramref name="offset"/>, as many as fit or as the blob has.</summary>
    /// <returns>The number of bytes read (less than the buffer only at the end of the blob).</returns>
    public static async Task<int> ReadAtAsync(this IBlobStore store, BlobKey key, long offset, Memory<byte> buffer, ETag? ifMatch = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (buffer.IsEmpty)
        {
            return 0;
        }

        var download = await store.OpenReadAsync(key, new ReadBlobOptions { Range = new ByteRange(offset, buffer.Length), IfMatch = ifMatch }, cancellationToken).ConfigureAwait(false);
        await using (download.ConfigureAwait(false))
        {
            return await download.Content.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed class ReadOnlyMemoryStream(ReadOnlyMemory<byte> memory) : ReadOnlyWindowStream(memory.Length)
    {
        protected override int ReadAt(long position, Span<byte> destination)
        {
            int n = (int)Math.Min(destination.Length, memory.Length - position);
            memory.Span.Slice((int)position, n).CopyTo(destination);
            return n;
        }
    }
}
