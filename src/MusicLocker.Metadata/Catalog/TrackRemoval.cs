namespace MusicLocker.Metadata;

/// <summary>The result of removing a track.</summary>
/// <param name="Track">The track as it was.</param>
/// <param name="StorageKeyStillReferenced">Whether another track of the user still refers to its storage key (then the bytes must stay).</param>
public sealed record TrackRemoval(TrackRecord Track, bool StorageKeyStillReferenced);
