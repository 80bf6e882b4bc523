namespace MusicLocker.Metadata;

/// <summary>One recorded play.</summary>
/// <param name="Track">The track played.</param>
/// <param name="PlayedAt">When.</param>
public sealed record PlayRecord(TrackRecord Track, DateTimeOffset PlayedAt);
