namespace MusicLocker.Library;

/// <summary>A playlist.</summary>
/// <param name="Id">Its id.</param>
/// <param name="UserId">Its owner.</param>
/// <param name="Name">Its name.</param>
/// <param name="EntryCount">Its entries (a track may appear more than once).</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="UpdatedAt">When it was last renamed or changed.</param>
public sealed record Playlist(Guid Id, string UserId, string Name, int EntryCount, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A track at a position of a playlist.</summary>
/// <param name="EntryId">The entry's id (tells two entries of the same track apart).</param>
/// <param name="Index">Its 0-based position.</param>
/// <param name="Track">The track.</param>
/// <param name="AddedAt">When it was added to the playlist.</param>
public sealed record PlaylistEntry(Guid EntryId, int Index, TrackRecord Track, DateTimeOffset AddedAt);
