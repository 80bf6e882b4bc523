using MusicLocker.Metadata;

namespace MusicLocker.Metadata.Tests.Conformance;

/// <summary>Stars, ratings, album lists and player credentials, on every store (the migration of each database included).</summary>
public abstract partial class MetadataStoreConformance
{
    [Fact]
    public async Task Stars_ratings_and_album_lists_are_per_user_and_follow_the_track()
    {
        var user = await NewUserAsync();
        var bob = await NewUserAsync("bob");
        var a = await AddAsync(user, Track("A") with { Tags = new TrackTags("A", "Artist", "Album One", Genre: "Rock", Year: 1999) });
        var b = await AddAsync(user, Track("B") with { Tags = new TrackTags("B", "Artist", "Album Two", Genre: "Jazz", Year: 2005) });
        await Store.Annotations.SetStarredAsync(user, AnnotationTarget.Track(a.Id), true, Ct);
        await Store.Annotations.SetRatingAsync(user, AnnotationTarget.Track(a.Id), 4, Ct);
        await Store.Annotations.SetStarredAsync(user, AnnotationTarget.Album("ARTIST", "album two"), true, Ct);
        await Assert.ThrowsAsync<MetadataNotFoundException>(() => Store.Annotations.SetStarredAsync(bob, AnnotationTarget.Track(a.Id), true, Ct));
        await Assert.ThrowsAsync<MetadataArgumentException>(() => Store.Annotations.SetRatingAsync(user, AnnotationTarget.Track(a.Id), 6, Ct));

        var annotation = Assert.Single(await Store.Annotations.GetTrackAnnotationsAsync(user, [a.Id, b.Id], Ct));
        Assert.Equal(4, annotation.Rating);
        Assert.NotNull(annotation.StarredAt);
        Assert.Empty(await Store.Annotations.GetTrackAnnotationsAsync(bob, [a.Id, b.Id], Ct));
        Assert.Equal([a.Id], (await Store.Annotations.ListStarredTracksAsync(user, 10, Ct)).Select(t => t.Id));

        var starredAlbums = await Store.Library.ListAlbumsAsync(user, new AlbumListQuery { Order = AlbumOrder.Starred }, Ct);
        Assert.Equal(["Album Two"], starredAlbums.Select(x => x.Title));
        Assert.Equal(["Album One", "Album Two"], (await Store.Library.ListAlbumsAsync(user, new AlbumListQuery { Order = AlbumOrder.Name }, Ct)).Select(x => x.Title));
        Assert.Equal(["Album Two"], (await Store.Library.ListAlbumsAsync(user, new AlbumListQuery { Order = AlbumOrder.Year, FromYear = 2000, ToYear = 2010 }, Ct)).Select(x => x.Title));
        Assert.Equal(["Album One"], (await Store.Library.ListAlbumsAsync(user, new AlbumListQuery { Order = AlbumOrder.Name, Genre = "rock" }, Ct)).Select(x => x.Title));
        Assert.Empty(await Store.Library.ListAlbumsAsync(bob, new AlbumListQuery { Order = AlbumOrder.Name }, Ct));
        Assert.Equal(2, (await Store.Library.ListRandomTracksAsync(user, 10, cancellationToken: Ct)).Count);

        // Unstarring and unrating leave nothing; removing a track removes its annotation.
        await Store.Annotations.SetStarredAsync(user, AnnotationTarget.Album("Artist", "Album Two"), false, Ct);
        Assert.Null((await Store.Annotations.GetAsync(user, AnnotationTarget.Album("Artist", "Album Two"), Ct)).StarredAt);
        await Store.Tracks.RemoveTrackAsync(user, a.Id, Ct);
        Assert.Empty(await Store.Annotations.ListStarredTracksAsync(user, 10, Ct));
    }

    [Fact]
    public async Task Api_key_hashes_and_sealed_app_passwords_are_stored_per_user()
    {
        var user = await NewUserAsync();
        var hash = new byte[32];
        hash[0] = 7;
        var key = await Store.Credentials.AddApiKeyAsync(user, Guid.NewGuid(), hash, "phone", Ct);
        Assert.Equal(user, (await Store.Credentials.FindApiKeyAsync(hash, Ct))?.UserId);
        Assert.Null(await Store.Credentials.FindApiKeyAsync(new byte[32], Ct));
        await Assert.ThrowsAsync<MetadataConflictException>(() => Store.Credentials.AddApiKeyAsync(user, Guid.NewGuid(), hash, "again", Ct));
        await Assert.ThrowsAsync<MetadataArgumentException>(() => Store.Credentials.AddApiKeyAsync(user, Guid.NewGuid(), new byte[5], "short", Ct));
        Assert.False(await Store.Credentials.RevokeApiKeyAsync("bob-" + user, key.Id, Ct));
        Assert.True(await Store.Credentials.RevokeApiKeyAsync(user, key.Id, Ct));
        Assert.Null(await Store.Credentials.FindApiKeyAsync(hash, Ct));

        Assert.Null(await Store.Credentials.GetAppPasswordAsync(user, Ct));
        await Store.Credentials.SetAppPasswordAsync(user, new byte[] { 1, 2, 3 }, Ct);
        await Store.Credentials.SetAppPasswordAsync(user, new byte[] { 4, 5 }, Ct);
        Assert.Equal(new byte[] { 4, 5 }, await Store.Credentials.GetAppPasswordAsync(user, Ct));
        Assert.True(await Store.Credentials.ClearAppPasswordAsync(user, Ct));
        Assert.Null(await Store.Credentials.GetAppPasswordAsync(user, Ct));
    }
}
