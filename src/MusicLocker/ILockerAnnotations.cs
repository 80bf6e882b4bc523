using MusicLocker.Metadata;

namespace MusicLocker;

/// <summary>A user's stars and ratings of tracks, albums and artists.</summary>
public interface ILockerAnnotations
{
    /// <summary>Stars an item (starring again keeps the first time).</summary>
    /// <exception cref="LockerException"><see cref="LockerErrorCode.TrackNotFound"/>: a track the user does not have.</exception>
    Task StarAsync(AnnotationTarget target, CancellationToken cancellationToken = default);

    /// <summary>Removes an item's star (nothing when it had none).</summary>
    /// <exception cref="LockerException"><see cref="LockerErrorCode.TrackNotFound"/>: a track the user does not have.</exception>
    Task UnstarAsync(AnnotationTarget target, CancellationToken cancellationToken = default);

    /// <summary>Rates an item 1 to 5, or clears its rating with 0.</summary>
    /// <exception cref="LockerException"><see cref="LockerErrorCode.TrackNotFound"/>; <see cref="LockerErrorCode.InvalidArgument"/>: the rating is outside 0 to 5.</exception>
    Task SetRatingAsync(AnnotationTarget target, int rating, CancellationToken cancellationToken = default);

    /// <summary>An item's star and rating.</summary>
    Task<ItemAnnotation> GetAsync(AnnotationTarget target, CancellationToken cancellationToken = default);

    /// <summary>Stars, ratings and play counts of these tracks (at most 500; tracks with none are left out).</summary>
    Task<IReadOnlyList<TrackAnnotation>> GetTrackAnnotationsAsync(IReadOnlyList<Guid> trackIds, CancellationToken cancellationToken = default);

    /// <summary>Starred albums or artists, latest star first.</summary>
    Task<IReadOnlyList<ItemAnnotation>> ListStarredAsync(AnnotationKind kind, int count = 50, CancellationToken cancellationToken = default);

    /// <summary>Starred tracks, latest star first.</summary>
    Task<IReadOnlyList<LockerTrack>> ListStarredTracksAsync(int count = 50, CancellationToken cancellationToken = default);
}
