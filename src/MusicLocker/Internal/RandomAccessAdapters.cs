using MusicLocker.Media;
using MusicLocker.Storage;

namespace MusicLocker.Internal;

/// <summary>A seekable stream as a random-access source for the prober.</summary>
/// <remarks>The prober reads one range at a time, so the reads need no lock.</remarks>
internal sealed class StreamRandomAccessSource(Stream stream, long start) : IRandomAccessSource
{
    public long Length { get; } = stream.Length - start;

    public async ValueTask<int> ReadAtAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        stream.Position = start + offset;
        return await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>A stored object as a random-access source (each read one ranged read, pinned to one version).</summary>
internal sealed class BlobRandomAccessSource(IBlobStore store, BlobProperties properties) : IRandomAccessSource
{
    public long Length => properties.Length;

    public async ValueTask<int> ReadAtAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (offset >= Length || buffer.Length == 0)
        {
            return 0;
        }

        return await store.ReadAtAsync(properties.Key, offset, buffer, properties.ETag, cancellationToken).ConfigureAwait(false);
    }
}
