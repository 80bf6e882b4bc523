using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace MusicLocker.Storage.FileSystem;

/// <summary>
/// Gathers a blob's body into writes that end on <see cref="Alignment"/> boundaries of the file, whatever sizes the
/// source hands over and however long the header before the body is.
/// </summary>
/// <remarks>
/// The page cache sizes its folios by the writes that create them: Linux (6.x, ext4/XFS large folios) keeps a file
/// written in large aligned writes as large folios, and one written in writes that straddle those boundaries (256 KiB
/// writes shifted by the header's ~150 bytes) as small ones. Every later read of the blob copies folio by folio, so the
/// small-folio file read 1.4× slower at 16 MiB than the same bytes written in one go — the gap
/// <c>Storage/FileSystemRangeReadBenchmarks</c> showed. Aligned 1 MiB writes read as fast as one large write.
/// </remarks>
internal sealed class AlignedFileWriter : IDisposable
{
    /// <summary>The write size and boundary: 1 MiB.</summary>
    public const int Alignment = 1024 * 1024;

    private readonly SafeFileHandle _file;
    private readonly long _start;
    private byte[]? _buffer = ArrayPool<byte>.Shared.Rent(Alignment);
    private long _offset;
    private int _count;

    private readonly bool _writeBack;

    /// <summary>A writer that appends at <paramref name="offset"/> of <paramref name="file"/>.</summary>
    /// <param name="file">The file.</param>
    /// <param name="offset">Where the body starts.</param>
    /// <param name="writeBack">Whether each write is started towards the disk at once (<see cref="DiskWriteback"/>), for a
    /// file that will be flushed: its flush then waits for the last writes only.</param>
    public AlignedFileWriter(SafeFileHandle file, long offset, bool writeBack = false)
    {
        _file = file;
        _start = offset;
        _offset = offset;
        _writeBack = writeBack;
    }

    /// <summary>The bytes appended so far (buffered ones included).</summary>
    public long Length => _offset + _count - _start;

    /// <summary>Where the next bytes go: the buffer up to the next boundary of the file (never empty).</summary>
    public Memory<byte> Free
    {
        get
        {
            ObjectDisposedException.ThrowIf(_buffer is null, this);
            return _buffer.AsMemory(_count, Room - _count);
        }
    }

    private int Room => Alignment - (int)(_offset % Alignment);

    /// <summary>Takes <paramref name="count"/> bytes written into <see cref="Free"/>; writes the buffer once it reaches the boundary.</summary>
    public ValueTask AdvanceAsync(int count, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Room - _count);
        _count += count;
        return _count == Room ? FlushAsync(cancellationToken) : ValueTask.CompletedTask;
    }

    /// <summary>Writes what is buffered (the tail of the body, which need not end on a boundary).</summary>
    public ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_buffer is null, this);
        if (_count > 0)
        {
            // A synchronous pwrite: on Unix the asynchronous one is this same call on a thread-pool thread, and the hop (a
            // wake-up, then workers spinning for more work) cost an encrypted 100 MB upload more CPU than its AES-GCM.
            cancellationToken.ThrowIfCancellationRequested();
            RandomAccess.Write(_file, _buffer.AsSpan(0, _count), _offset);
            if (_writeBack)
            {
                DiskWriteback.Start(_file, _offset, _count);
            }

            _offset += _count;
            _count = 0;
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Returns the buffer to the pool; bytes not flushed are dropped.</summary>
    public void Dispose()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }
}
