namespace MusicLocker.Library;

/// <summary>One recorded play.</summary>
/// <param name="Track">The track played.</param>
/// <param name="PlayedAt">When.</param>
public sealed record PlayRecord(TrackRecord Track, DateTimeOffset PlayedAt);

/// <summary>How often a track was played.</summary>
/// <param name="Track">The track.</param>
/// <param name="PlayCount">Its recorded plays.</param>
/// <param name="LastPlayedAt">Its latest play.</param>
public sealed record TrackPlayCount(TrackRecord Track, long PlayCount, DateTimeOffset LastPlayedAt);
