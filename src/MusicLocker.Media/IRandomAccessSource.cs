namespace MusicLocker.Media;

/// <summary>
/// Bytes that can be read at any position: a local file, a stored object read by ranges, a buffer. A range probe
/// (<see cref="MediaProber.ProbeAsync(IRandomAccessSource, CancellationToken)"/>) makes a few reads of it.
/// </summary>
public interface IRandomAccessSource
{
    /// <summary>The number of bytes.</summary>
    long Length { get; }

    /// <summary>
    /// Reads the bytes from <paramref name="offset"/> into <paramref name="buffer"/>: all of them, or as many as there are
    /// before the end. Returns how many were read.
    /// </summary>
    ValueTask<int> ReadAtAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default);
}
