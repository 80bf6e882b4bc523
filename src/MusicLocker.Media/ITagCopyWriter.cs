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
    /// carrying <paramref name="tags"/>: a field that is <see langword="null"/> keeps the original's value, an empty
    /// string (or 0 for a number) removes it. <see cref="AudioTags.Compilation"/>, <see cref="AudioTags.Formats"/> and
    /// <see cref="AudioTags.RawFields"/> are not written.
    /// </summary>
    /// <returns>The bytes written; <see langword="null"/>, having written nothing, when this file's format cannot carry
    /// edited tags (the caller hands out the original).</returns>
    /// <exception cref="MediaFormatException">The original is not what was probed, or its tag region exceeds the writer's limits.</exception>
    /// <exception cref="ArgumentException">A value no tag can hold (e.g. a number above 65535, a negative year), checked before anything is written.</exception>
    Task<long?> WriteTaggedCopyAsync(IRandomAccessSource original, MediaInfo info, AudioTags tags, Stream destination, CancellationToken cancellationToken = default);
}
