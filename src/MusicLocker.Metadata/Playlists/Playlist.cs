namespace MusicLocker.Metadata;

/// <summary>A playlist.</summary>
/// <param name="Id">Its id.</param>
/// <param name="UserId">Its owner.</param>
/// <param name="Name">Its name.</param>
/// <param name="EntryCount">Its entries (a track may appear more than once).</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="UpdatedAt">When it was last renamed or changed.</param>
public sealed record Playlist(Guid Id, string UserId, string Name, int EntryCount, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
