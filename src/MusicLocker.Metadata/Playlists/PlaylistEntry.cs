namespace MusicLocker.Metadata;

/// <summary>A track at a position of a playlist.</summary>
/// <param name="EntryId">The entry's id (tells two entries of the same track apart).</param>
/// <param name="Index">Its 0-based position.</param>
/// <param name="Track">The track.</param>
/// <param name="AddedAt">When it was added to the playlist.</param>
public sealed record PlaylistEntry(Guid EntryId, int Index, TrackRecord Track, DateTimeOffset AddedAt);
