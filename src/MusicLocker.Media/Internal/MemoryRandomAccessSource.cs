namespace MusicLocker.Media;

/// <summary>Bytes in memory as an <see cref="IRandomAccessSource"/>.</summary>
/// <param name="data">The bytes.</param>
internal sealed class MemoryRandomAccessSource(ReadOnlyMemory<byte> data) : IRandomAccessSource
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
