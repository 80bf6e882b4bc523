using MusicLocker.Metadata;

namespace MusicLocker.AspNetCore.Subsonic;

/// <summary>Annotation: star, unstar, setRating, getStarred2, scrobble.</summary>
internal sealed partial class SubsonicServer
{
    private void RegisterAnnotations()
    {
        Add("star", (call, _) => StarAsync(call, star: true));
        Add("unstar", (call, _) => StarAsync(call, star: false));
        Add("setRating", SetRatingAsync);
        Add("getStarred2", Starred2Async);
        Add("scrobble", ScrobbleAsync);
    }

    /// <summary>star/unstar: any number of <c>id</c> (songs, or album and artist ids), <c>albumId</c>, <c>artistId</c>; each must be the user's.</summary>
    private static async Task StarAsync(SubsonicCall call, bool star)
    {
        var p = call.Parameters;
        var targets = new List<AnnotationTarget>();
        foreach (var id in p.All("id"))
        {
            targets.Add(await TargetAsync(call, id ?? string.Empty).ConfigureAwait(false));
        }

        foreach (var id in p.All("albumId"))
        {
            targets.Add(await AlbumTargetAsync(call, id ?? string.Empty).ConfigureAwait(false));
        }

        foreach (var id in p.All("artistId"))
        {
            targets.Add(await ArtistTargetAsync(call, id ?? string.Empty).ConfigureAwait(false));
        }

        if (targets.Count == 0)
        {
            throw SubsonicFault.Missing("id");
        }

        foreach (var target in targets)
        {
            await (star ? call.User.Annotations.StarAsync(target, call.Aborted) : call.User.Annotations.UnstarAsync(target, call.Aborted)).ConfigureAwait(false);
        }
    }

    private static async Task SetRatingAsync(SubsonicCall call, SubsonicWriter w)
    {
        var p = call.Parameters;
        var target = await TargetAsync(call, p.Required("id")).ConfigureAwait(false);
        int rating = p.OptionalInt("rating") is { } r ? r : throw SubsonicFault.Missing("rating");
        if (rating is < 0 or > 5)
        {
            throw SubsonicFault.Invalid("rating", rating.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        await call.User.Annotations.SetRatingAsync(target, rating, call.Aborted).ConfigureAwait(false);
    }

    /// <summary>A song, album or artist id of this user (an album or artist must have tracks of the user, else 70).</summary>
    private static Task<AnnotationTarget> TargetAsync(SubsonicCall call, string id)
    {
        if (SubsonicIds.TryTrack(id, out var trackId))
        {
            return Task.FromResult(AnnotationTarget.Track(trackId));
        }

        return id.StartsWith(SubsonicIds.ArtistPrefix, StringComparison.Ordinal) ? ArtistTargetAsync(call, id) : AlbumTargetAsync(call, id);
    }

    private static async Task<AnnotationTarget> AlbumTargetAsync(SubsonicCall call, string id)
    {
        if (!SubsonicIds.TryAlbum(id, out var albumArtist, out var title))
        {
            throw SubsonicFault.NotFound("Album");
        }

        var query = new TrackQuery { AlbumArtist = albumArtist ?? string.Empty, Album = title ?? string.Empty, PageSize = 1 };
        if ((await call.User.Tracks.GetPageAsync(query, call.Aborted).ConfigureAwait(false)).Items.Count == 0)
        {
            throw SubsonicFault.NotFound("Album");
        }

        return AnnotationTarget.Album(albumArtist, title);
    }

    private static async Task<AnnotationTarget> ArtistTargetAsync(SubsonicCall call, string id)
    {
        if (!SubsonicIds.TryArtist(id, out var name))
        {
            throw SubsonicFault.NotFound("Artist");
        }

        var albums = await call.User.Library.GetAlbumListAsync(new AlbumListQuery { Artist = name ?? string.Empty, Count = 1 }, call.Aborted).ConfigureAwait(false);
        if (albums.Count == 0)
        {
            throw SubsonicFault.NotFound("Artist");
        }

        return AnnotationTarget.Artist(name);
    }

    private static async Task Starred2Async(SubsonicCall call, SubsonicWriter w)
    {
        var artists = await call.User.Annotations.ListStarredAsync(AnnotationKind.Artist, TrackQuery.MaxPageSize, call.Aborted).ConfigureAwait(false);
        var albums = await call.User.Library.GetAlbumListAsync(new AlbumListQuery { Order = AlbumOrder.Starred, Count = TrackQuery.MaxPageSize }, call.Aborted).ConfigureAwait(false);
        var songs = await call.User.Annotations.ListStarredTracksAsync(TrackQuery.MaxPageSize, call.Aborted).ConfigureAwait(false);
        w.StartElement("starred2");
        w.StartList("artist");
        foreach (var artist in artists)
        {
            w.StartItem();
            var albumCount = await call.User.Library.GetAlbumListAsync(new AlbumListQuery { Artist = artist.Target.Name ?? string.Empty, Count = TrackQuery.MaxPageSize }, call.Aborted).ConfigureAwait(false);
            SubsonicModel.Artist(w, artist.Target.Name, albumCount.Count, artist.StarredAt, artist.Rating);
            w.EndItem();
        }

        w.EndList();
        WriteAlbums(w, albums);
        await WriteSongsAsync(call, w, "song", songs).ConfigureAwait(false);
        w.EndElement();
    }

    /// <summary>
    /// scrobble: <c>submission=false</c> is "now playing" (nothing is kept); otherwise each <c>id</c> is recorded as a play
    /// in the listening history, unless the user turned history off (then nothing is recorded, and the answer is still ok).
    /// </summary>
    private static async Task ScrobbleAsync(SubsonicCall call, SubsonicWriter w)
    {
        var p = call.Parameters;
        var ids = TrackIds(p, "id");
        if (ids.Count == 0)
        {
            throw SubsonicFault.Missing("id");
        }

        if (!p.Bool("submission", true))
        {
            foreach (var id in ids)
            {
                await call.User.Tracks.GetAsync(id, call.Aborted).ConfigureAwait(false);
            }

            return;
        }

        foreach (var id in ids)
        {
            await call.User.History.RecordPlayAsync(id, call.Aborted).ConfigureAwait(false);
        }
    }
}
