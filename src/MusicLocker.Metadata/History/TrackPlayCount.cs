namespace MusicLocker.Metadata;

/// <summary>How often a track was played.</summary>
/// <param name="Track">The track.</param>
/// <param name="PlayCount">Its recorded plays.</param>
/// <param name="LastPlayedAt">Its latest play.</param>
public sealed record TrackPlayCount(TrackRecord Track, long PlayCount, DateTimeOffset LastPlayedAt);
