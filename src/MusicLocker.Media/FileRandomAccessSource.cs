using Microsoft.Win32.SafeHandles;

namespace MusicLocker.Media;

/// <summary>A local file as an <see cref="IRandomAccessSource"/> (positional reads on one handle; thread-safe).</summary>
/// <remarks>
/// Reads are synchronous <c>pread</c> calls that complete the returned task: on Linux, asynchronous file reads are a
/// thread-pool hop around the same call, which costs more than a page-cache read of a probe's 64 KiB.
/// </remarks>
public sealed class FileRandomAccessSource : IRandomAccessSource, IDisposable
{
    private readonly SafeFileHandle _handle;

    /// <summary>Opens <paramref name="path"/> for reading.</summary>
    public FileRandomAccessSource(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        Length = RandomAccess.GetLength(_handle);
    }

    /// <inheritdoc />
    public long Length { get; }

    /// <inheritdoc />
    public ValueTask<int> ReadAtAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        int total = 0;
        while (total < buffer.Length)
        {
            int n = RandomAccess.Read(_handle, buffer.Span[total..], offset + total);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return ValueTask.FromResult(total);
    }

    /// <inheritdoc />
    public void Dispose() => _handle.Dispose();
}

/// <summary>Bytes in memory as an <see cref="IRandomAccessSource"/>.</summary>
/// <param name="data">The bytes.</param>
public sealed class MemoryRandomAccessSource(ReadOnlyMemory<byte> data) : IRandomAccessSource
{
    /// <inheritdoc />
    public long Length => data.Length;

    /// <inheritdoc />
    public ValueTask<int> ReadAtAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (offset >= data.Length)
        {
            return ValueTask.FromResult(0);
        }

        int n = (int)Math.Min(buffer.Length, data.Length - offset);
        data.Span.Slice((int)offset, n).CopyTo(buffer.Span);
        return ValueTask.FromResult(n);
    }
}
