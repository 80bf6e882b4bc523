using Microsoft.Win32.SafeHandles;

namespace MusicLocker.Storage.FileSystem;

/// <summary>
/// The window <c>[start, start + length)</c> of an open blob file, read with positional reads (<see cref="RandomAccess"/>):
/// no internal buffer, no copy, and the file's other bytes are never exposed. Owns the handle. A read that fails in the
/// file system, or a file cut short under the open handle, is a <see cref="BlobStoreException"/> naming the key and the file.
/// </summary>
internal sealed class FileRangeReadStream(SafeFileHandle handle, long start, long length, BlobKey key, string path) : ReadOnlyWindowStream(length)
{
    public override bool CanRead => !handle.IsClosed;

    public override bool CanSeek => !handle.IsClosed;

    protected override int ReadAt(long position, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(handle.IsClosed, this);
        try
        {
            return RandomAccess.Read(handle, destination, start + position);
        }
        catch (Exception ex) when (FileSystemErrors.IsFileSystemError(ex))
        {
            throw FileSystemErrors.Translate(ex, "Reading", key.Value, path);
        }
    }

    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    protected override async ValueTask<int> ReadAtAsync(long position, Memory<byte> destination, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(handle.IsClosed, this);
        try
        {
            return await RandomAccess.ReadAsync(handle, destination, start + position, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (FileSystemErrors.IsFileSystemError(ex))
        {
            throw FileSystemErrors.Translate(ex, "Reading", key.Value, path);
        }
    }

    protected override Exception EndedEarly(long position) =>
        new BlobStoreException(BlobErrorCode.IntegrityCheckFailed, $"The file of blob '{key}' ('{path}') ended after {position} of the {Length} bytes being read: something outside the store cut it short. Restore it from a backup or delete it.", key.Value);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            handle.Dispose();
        }

        base.Dispose(disposing);
    }
}
