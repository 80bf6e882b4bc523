namespace MusicLocker.Media;

/// <summary>
/// Writes a copy of an audio file with other tags, the audio payload (<see cref="MediaInfo.AudioOffset"/>,
/// <see cref="MediaInfo.AudioLength"/>) copied byte for byte. The hook through which a locker hands out downloads that
/// carry the tags a user edited in the catalog: implemented by <c>MusicLocker.Media.TagLib</c>'s
/// <c>EditedCopyWriter</c> (opt-in, on LGPL TagLibSharp), so that nothing else needs that dependency.
/// </summary>
/// <remarks>Implementations are immutable and thread-safe; each call reads its own original.</remarks>
public interface ITagCopyWriter
{
    /// <summary>
    /// Writes to <paramref name="destination"/> a copy of <paramref name="original"/> (probed as <paramref name="info"/>)
    /// carrying what <paramref name="request"/> asks (tags, cover, ID3v2 version; see <see cref="TagCopyRequest"/>).
    /// </summary>
    /// <returns>The bytes written; <see langword="null"/>, having written nothing, when this file's format cannot carry
    /// edited tags (the caller hands out the original).</returns>
    /// <exception cref="MediaFormatException">The original is not what was probed, or its tag region exceeds the writer's limits.</exception>
    /// <exception cref="ArgumentException">A value no tag can hold (e.g. a number above 65535, a negative year, a cover that is
    /// not JPEG or PNG or is too large), checked before anything is written; its parameter name names the field.</exception>
    Task<long?> WriteTaggedCopyAsync(IRandomAccessSource original, MediaInfo info, TagCopyRequest request, Stream destination, CancellationToken cancellationToken = default);
}
