namespace MusicLocker.Metadata;

/// <summary>The result of removing a track.</summary>
/// <param name="Track">The track as it was.</param>
/// <param name="StorageKeyStillReferenced">Whether another track of the user still refers to its storage key (then the bytes must stay).</param>
/// <param name="CoverStorageKey">The key of the cover picture the track's cover edit held (<see cref="ITrackCoverStore"/>), whose object is no longer referenced; <see langword="null"/> when none.</param>
public sealed record TrackRemoval(TrackRecord Track, bool StorageKeyStillReferenced, string? CoverStorageKey = null);
