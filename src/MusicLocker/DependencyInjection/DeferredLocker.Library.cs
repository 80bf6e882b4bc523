using MusicLocker.Metadata;

namespace MusicLocker.DependencyInjection;

/// <summary>The deferred locker's library, annotations and access: each call awaits the open, then forwards.</summary>
internal sealed partial class DeferredLocker
{
    public async Task<string?> FindApiKeyUserAsync(string apiKey, CancellationToken cancellationToken = default) =>
        await (await OpenedAsync(cancellationToken).ConfigureAwait(false)).FindApiKeyUserAsync(apiKey, cancellationToken).ConfigureAwait(false);
}

/// <summary>One user's library, annotations and access on a <see cref="DeferredLocker"/>.</summary>
internal sealed partial class DeferredUserLocker : ILockerLibrary, ILockerAnnotations, ILockerAccess
{
    public ILockerLibrary Library => this;

    public ILockerAnnotations Annotations => this;

    public ILockerAccess Access => this;

    Task<IReadOnlyList<AlbumEntry>> ILockerLibrary.GetAlbumListAsync(AlbumListQuery query, CancellationToken cancellationToken) =>
        Call(u => u.Library.GetAlbumListAsync(query, cancellationToken), cancellationToken);

    Task<LockerPage<AlbumEntry>> ILockerLibrary.GetAlbumPageAsync(AlbumListQuery query, CancellationToken cancellationToken) =>
        Call(u => u.Library.GetAlbumPageAsync(query, cancellationToken), cancellationToken);

    Task<IReadOnlyList<LockerTrack>> ILockerLibrary.GetRandomTracksAsync(int count, string? genre, int? fromYear, int? toYear, CancellationToken cancellationToken) =>
        Call(u => u.Library.GetRandomTracksAsync(count, genre, fromYear, toYear, cancellationToken), cancellationToken);

    Task<LockerPage<LockerTrack>> ILockerLibrary.SearchPageAsync(string text, int pageSize, string? cursor, CancellationToken cancellationToken) =>
        Call(u => u.Library.SearchPageAsync(text, pageSize, cursor, cancellationToken), cancellationToken);

    Task ILockerAnnotations.StarAsync(AnnotationTarget target, CancellationToken cancellationToken) =>
        Call(u => u.Annotations.StarAsync(target, cancellationToken), cancellationToken);

    Task ILockerAnnotations.UnstarAsync(AnnotationTarget target, CancellationToken cancellationToken) =>
        Call(u => u.Annotations.UnstarAsync(target, cancellationToken), cancellationToken);

    Task ILockerAnnotations.SetRatingAsync(AnnotationTarget target, int rating, CancellationToken cancellationToken) =>
        Call(u => u.Annotations.SetRatingAsync(target, rating, cancellationToken), cancellationToken);

    Task<ItemAnnotation> ILockerAnnotations.GetAsync(AnnotationTarget target, CancellationToken cancellationToken) =>
        Call(u => u.Annotations.GetAsync(target, cancellationToken), cancellationToken);

    Task<IReadOnlyList<TrackAnnotation>> ILockerAnnotations.GetTrackAnnotationsAsync(IReadOnlyList<Guid> trackIds, CancellationToken cancellationToken) =>
        Call(u => u.Annotations.GetTrackAnnotationsAsync(trackIds, cancellationToken), cancellationToken);

    Task<IReadOnlyList<ItemAnnotation>> ILockerAnnotations.ListStarredAsync(AnnotationKind kind, int count, CancellationToken cancellationToken) =>
        Call(u => u.Annotations.ListStarredAsync(kind, count, cancellationToken), cancellationToken);

    Task<IReadOnlyList<LockerTrack>> ILockerAnnotations.ListStarredTracksAsync(int count, CancellationToken cancellationToken) =>
        Call(u => u.Annotations.ListStarredTracksAsync(count, cancellationToken), cancellationToken);

    Task<IssuedApiKey> ILockerAccess.IssueApiKeyAsync(string label, CancellationToken cancellationToken) =>
        Call(u => u.Access.IssueApiKeyAsync(label, cancellationToken), cancellationToken);

    Task<IReadOnlyList<ApiKeyRecord>> ILockerAccess.ListApiKeysAsync(CancellationToken cancellationToken) =>
        Call(u => u.Access.ListApiKeysAsync(cancellationToken), cancellationToken);

    Task<bool> ILockerAccess.RevokeApiKeyAsync(Guid keyId, CancellationToken cancellationToken) =>
        Call(u => u.Access.RevokeApiKeyAsync(keyId, cancellationToken), cancellationToken);

    Task ILockerAccess.SetAppPasswordAsync(string password, CancellationToken cancellationToken) =>
        Call(u => u.Access.SetAppPasswordAsync(password, cancellationToken), cancellationToken);

    Task<bool> ILockerAccess.ClearAppPasswordAsync(CancellationToken cancellationToken) =>
        Call(u => u.Access.ClearAppPasswordAsync(cancellationToken), cancellationToken);

    Task<bool> ILockerAccess.VerifyAppPasswordAsync(string password, CancellationToken cancellationToken) =>
        Call(u => u.Access.VerifyAppPasswordAsync(password, cancellationToken), cancellationToken);

    Task<bool> ILockerAccess.VerifyAppPasswordTokenAsync(string salt, string token, CancellationToken cancellationToken) =>
        Call(u => u.Access.VerifyAppPasswordTokenAsync(salt, token, cancellationToken), cancellationToken);
}
