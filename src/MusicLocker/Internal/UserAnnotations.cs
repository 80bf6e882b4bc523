using MusicLocker.Metadata;

namespace MusicLocker.Internal;

internal sealed class UserAnnotations(LockerCore core, string userId) : ILockerAnnotations
{
    private IAnnotationStore Store => core.Metadata.Annotations;

    public Task StarAsync(AnnotationTarget target, CancellationToken cancellationToken = default) =>
        LockerErrors.Guard(async () =>
        {
            await core.Metadata.Users.EnsureAsync(userId, cancellationToken: cancellationToken).ConfigureAwait(false);
            await Store.SetStarredAsync(userId, target, starred: true, cancellationToken).ConfigureAwait(false);
        });

    public Task UnstarAsync(AnnotationTarget target, CancellationToken cancellationToken = default) =>
        LockerErrors.Guard(() => Store.SetStarredAsync(userId, target, starred: false, cancellationToken));

    public Task SetRatingAsync(AnnotationTarget target, int rating, CancellationToken cancellationToken = default) =>
        LockerErrors.Guard(async () =>
        {
            await core.Metadata.Users.EnsureAsync(userId, cancellationToken: cancellationToken).ConfigureAwait(false);
            await Store.SetRatingAsync(userId, target, rating, cancellationToken).ConfigureAwait(false);
        });

    public Task<ItemAnnotation> GetAsync(AnnotationTarget target, CancellationToken cancellationToken = default) =>
        LockerErrors.Guard(() => Store.GetAsync(userId, target, cancellationToken));

    public Task<IReadOnlyList<TrackAnnotation>> GetTrackAnnotationsAsync(IReadOnlyList<Guid> trackIds, CancellationToken cancellationToken = default) =>
        LockerErrors.Guard(() => Store.GetTrackAnnotationsAsync(userId, trackIds, cancellationToken));

    public Task<IReadOnlyList<ItemAnnotation>> ListStarredAsync(AnnotationKind kind, int count = 50, CancellationToken cancellationToken = default) =>
        LockerErrors.Guard(() => Store.ListStarredAsync(userId, kind, count, cancellationToken));

    public Task<IReadOnlyList<LockerTrack>> ListStarredTracksAsync(int count = 50, CancellationToken cancellationToken = default) =>
        LockerErrors.Guard<IReadOnlyList<LockerTrack>>(async () =>
            (await Store.ListStarredTracksAsync(userId, count, cancellationToken).ConfigureAwait(false)).Select(LockerTrack.From).ToArray());
}
