namespace MusicLocker.Media.TagLib.Internal;

/// <summary>A seekable stream as an <see cref="IRandomAccessSource"/> (one reader at a time, as a stream allows).</summary>
internal sealed class StreamRandomAccessSource(Stream stream) : IRandomAccessSource
{
    public long Length => stream.Length;

    public async ValueTask<int> ReadAtAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        stream.Position = offset;
        int total = 0;
        while (total < buffer.Length)
        {
            int n = await stream.ReadAsync(buffer[total..], cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }
}
