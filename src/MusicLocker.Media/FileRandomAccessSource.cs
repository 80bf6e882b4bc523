using Microsoft.Win32.SafeHandles;

namespace MusicLocker.Media;

/// <summary>A local file as an <see cref="IRandomAccessSource"/> (positional reads on one handle; thread-safe).</summary>
public sealed class FileRandomAccessSource : IRandomAccessSource, IDisposable
{
    private readonly SafeFileHandle _handle;

    /// <summary>Opens <paramref name="path"/> for reading.</summary>
    public FileRandomAccessSource(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.Asynchronous | FileOptions.RandomAccess);
        Length = RandomAccess.GetLength(_handle);
    }

    /// <inheritdoc />
    public long Length { get; }

    /// <inheritdoc />
    public async ValueTask<int> ReadAtAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = await RandomAccess.ReadAsync(_handle, buffer[total..], offset + total, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
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
