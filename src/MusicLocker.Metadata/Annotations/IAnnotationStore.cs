namespace MusicLocker.Metadata;

/// <summary>
/// Stars and ratings (what the Subsonic API calls annotations), per user. A track's annotation goes with the track when it
/// is removed; everything goes with the user.
/// </summary>
public interface IAnnotationStore
{
    /// <summary>Stars (at the store's current time; starring again keeps the first time) or unstars an item.</summary>
    /// <exception cref="MetadataNotFoundException">A track target the user does not have.</exception>
    /// <exception cref="MetadataArgumentException">A name is over <see cref="MetadataLimits.MaxTagLength"/> characters.</exception>
    Task SetStarredAsync(string userId, AnnotationTarget target, bool starred, CancellationToken cancellationToken = default);

    /// <summary>Rates an item 1 to 5, or clears its rating with 0.</summary>
    /// <exception cref="MetadataNotFoundException">A track target the user does not have.</exception>
    /// <exception cref="MetadataArgumentException">The rating is outside 0 to 5.</exception>
    Task SetRatingAsync(string userId, AnnotationTarget target, int rating, CancellationToken cancellationToken = default);

    /// <summary>An item's star and rating (not starred and 0 when it has none).</summary>
    Task<ItemAnnotation> GetAsync(string userId, AnnotationTarget target, CancellationToken cancellationToken = default);

    /// <summary>Stars, ratings and play counts of these tracks of the user (one query; ids of other users' tracks are ignored).</summary>
    /// <exception cref="MetadataArgumentException">More than <see cref="TrackQuery.MaxPageSize"/> ids.</exception>
    Task<IReadOnlyList<TrackAnnotation>> GetTrackAnnotationsAsync(string userId, IReadOnlyList<Guid> trackIds, CancellationToken cancellationToken = default);

    /// <summary>The user's starred albums or artists, latest star first.</summary>
    Task<IReadOnlyList<ItemAnnotation>> ListStarredAsync(string userId, AnnotationKind kind, int count = 50, CancellationToken cancellationToken = default);

    /// <summary>The user's starred tracks, latest star first.</summary>
    Task<IReadOnlyList<TrackRecord>> ListStarredTracksAsync(string userId, int count = 50, CancellationToken cancellationToken = default);
}
