namespace MusicLocker.Metadata;

/// <summary>The result of <see cref="ITrackCatalog.AddTrackIfNewAudioAsync"/>.</summary>
/// <param name="Track">The new track, or (when <paramref name="Added"/> is false) the user's track that already holds this audio.</param>
/// <param name="Added">Whether the track was catalogued and charged; false when the user had this audio already (nothing changed).</param>
public sealed record TrackAddition(TrackRecord Track, bool Added);
