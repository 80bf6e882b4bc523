namespace MusicLocker.Metadata;

/// <summary>What a user's annotations and history say about one track.</summary>
/// <param name="TrackId">The track.</param>
/// <param name="StarredAt">When it was starred; <see langword="null"/> when it is not.</param>
/// <param name="Rating">1 to 5; 0 when unrated.</param>
/// <param name="PlayCount">Its plays in the listening history.</param>
/// <param name="LastPlayedAt">Its latest play; <see langword="null"/> when never played (or history is off).</param>
public sealed record TrackAnnotation(Guid TrackId, DateTimeOffset? StarredAt, int Rating, long PlayCount, DateTimeOffset? LastPlayedAt);
