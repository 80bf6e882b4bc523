using Microsoft.Win32.SafeHandles;

namespace MusicLocker.Storage;

/// <summary>
/// The window <c>[start, start + length)</c> of an open file, read with positional reads (<see cref="RandomAccess"/>):
/// no internal buffer, no copy, and the file's other bytes are never exposed. Owns the handle.
/// </summary>
internal sealed class FileRangeReadStream(SafeFileHandle handle, long start, long length) : ReadOnlyWindowStream(length)
{
    public override bool CanRead => !handle.IsClosed;

    public override bool CanSeek => !handle.IsClosed;

    protected override int ReadAt(long position, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(handle.IsClosed, this);
        return RandomAccess.Read(handle, destination, start + position);
    }

    protected override ValueTask<int> ReadAtAsync(long position, Memory<byte> destination, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(handle.IsClosed, this);
        return RandomAccess.ReadAsync(handle, destination, start + position, cancellationToken);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            handle.Dispose();
        }

        base.Dispose(disposing);
    }
}
