using MusicLocker.Metadata;

namespace MusicLocker.AspNetCore.Subsonic;

/// <summary>Browsing by ID3 tags: getIndexes, getArtists, getArtist, getAlbum, getSong, getGenres.</summary>
internal sealed partial class SubsonicServer
{
    private void RegisterBrowsing()
    {
        Add("getIndexes", (call, w) => IndexesAsync(call, w, "indexes", withLastModified: true));
        Add("getArtists", (call, w) => IndexesAsync(call, w, "artists", withLastModified: false));
        Add("getArtist", ArtistAsync);
        Add("getAlbum", AlbumAsync);
        Add("getSong", SongAsync);
        Add("getGenres", GenresAsync);
    }

    private static async Task IndexesAsync(SubsonicCall call, SubsonicWriter w, string element, bool withLastModified)
    {
        var groups = new SortedDictionary<string, List<ArtistSummary>>(StringComparer.Ordinal);
        await foreach (var artist in call.User.Tracks.ListArtistsAsync(call.Aborted).ConfigureAwait(false))
        {
            string letter = SubsonicModel.IndexOf(artist.Name);
            if (!groups.TryGetValue(letter, out var list))
            {
                groups[letter] = list = [];
            }

            list.Add(artist);
        }

        var starred = await StarredArtistsAsync(call).ConfigureAwait(false);
        w.StartElement(element);
        w.Attr("ignoredArticles", SubsonicModel.IgnoredArticles);
        if (withLastModified)
        {
            w.Attr("lastModified", 0);
        }

        w.StartList("index");
        foreach (var (letter, artists) in groups)
        {
            w.StartItem();
            w.Attr("name", letter);
            w.StartList("artist");
            foreach (var artist in artists)
            {
                w.StartItem();
                var annotation = starred.GetValueOrDefault(artist.Name ?? string.Empty);
                SubsonicModel.Artist(w, artist.Name, artist.AlbumCount, annotation?.StarredAt, annotation?.Rating ?? 0);
                w.EndItem();
            }

            w.EndList();
            w.EndItem();
        }

        w.EndList();
        w.EndElement();
    }

    private static async Task<Dictionary<string, ItemAnnotation>> StarredArtistsAsync(SubsonicCall call)
    {
        var result = new Dictionary<string, ItemAnnotation>(StringComparer.OrdinalIgnoreCase);
        foreach (var a in await call.User.Annotations.ListStarredAsync(AnnotationKind.Artist, TrackQuery.MaxPageSize, call.Aborted).ConfigureAwait(false))
        {
            result.TryAdd(a.Target.Name ?? string.Empty, a);
        }

        return result;
    }

    private static async Task ArtistAsync(SubsonicCall call, SubsonicWriter w)
    {
        string id = call.Parameters.Required("id");
        if (!SubsonicIds.TryArtist(id, out string? name))
        {
            throw SubsonicFault.NotFound("Artist");
        }

        var albums = await AllAlbumsAsync(call, new AlbumListQuery { Order = AlbumOrder.Artist, Artist = name ?? string.Empty }).ConfigureAwait(false);
        if (albums.Count == 0)
        {
            throw SubsonicFault.NotFound("Artist");
        }

        var annotation = await call.User.Annotations.GetAsync(AnnotationTarget.Artist(name), call.Aborted).ConfigureAwait(false);
        w.StartElement("artist");
        SubsonicModel.Artist(w, name, albums.Count, annotation.StarredAt, annotation.Rating);
        WriteAlbums(w, albums);
        w.EndElement();
    }

    /// <summary>Every album of a filtered list (an artist's albums), 500 at a time.</summary>
    private static async Task<List<AlbumEntry>> AllAlbumsAsync(SubsonicCall call, AlbumListQuery query)
    {
        var all = new List<AlbumEntry>();
        while (true)
        {
            var page = await call.User.Library.GetAlbumListAsync(query with { Offset = all.Count, Count = TrackQuery.MaxPageSize }, call.Aborted).ConfigureAwait(false);
            all.AddRange(page);
            if (page.Count < TrackQuery.MaxPageSize)
            {
                return all;
            }
        }
    }

    private static async Task AlbumAsync(SubsonicCall call, SubsonicWriter w)
    {
        string id = call.Parameters.Required("id");
        if (!SubsonicIds.TryAlbum(id, out string? albumArtist, out string? title))
        {
            throw SubsonicFault.NotFound("Album");
        }

        var tracks = await AlbumTracksAsync(call, albumArtist, title).ConfigureAwait(false);
        if (tracks.Count == 0)
        {
            throw SubsonicFault.NotFound("Album");
        }

        var annotation = await call.User.Annotations.GetAsync(AnnotationTarget.Album(albumArtist, title), call.Aborted).ConfigureAwait(false);
        var songAnnotations = await AnnotationsAsync(call, tracks).ConfigureAwait(false);
        long plays = 0;
        DateTimeOffset? played = null;
        foreach (var a in songAnnotations.Values)
        {
            plays += a.PlayCount;
            played = a.LastPlayedAt > played || played is null ? a.LastPlayedAt : played;
        }

        var first = tracks[0];
        var album = new AlbumEntry(
            albumArtist, title, tracks.Count, Sum(tracks), Max(tracks, static t => t.Tags.Year), first.Tags.Genre, first.Id,
            Max(tracks, static t => t.AddedAt), plays, played, annotation.StarredAt, annotation.Rating);
        w.StartElement("album");
        SubsonicModel.Album(w, album);
        w.StartList("song");
        foreach (var track in tracks)
        {
            w.StartItem();
            SubsonicModel.Song(w, track, songAnnotations.GetValueOrDefault(track.Id));
            w.EndItem();
        }

        w.EndList();
        w.EndElement();
    }

    /// <summary>An album's tracks in disc and track order; only tracks whose album artist and title match the id exactly (the filter is accent-insensitive).</summary>
    private static async Task<List<LockerTrack>> AlbumTracksAsync(SubsonicCall call, string? albumArtist, string? title)
    {
        var tracks = new List<LockerTrack>();
        var query = new TrackQuery { Sort = TrackSort.Album, AlbumArtist = albumArtist ?? string.Empty, Album = title ?? string.Empty, PageSize = TrackQuery.MaxPageSize };
        await foreach (var track in call.User.Tracks.ListAsync(query, call.Aborted).ConfigureAwait(false))
        {
            tracks.Add(track);
        }

        return tracks;
    }

    private static async Task SongAsync(SubsonicCall call, SubsonicWriter w)
    {
        var track = await call.User.Tracks.GetAsync(RequireTrack(call.Parameters.Required("id")), call.Aborted).ConfigureAwait(false);
        var annotations = await AnnotationsAsync(call, [track]).ConfigureAwait(false);
        w.StartElement("song");
        SubsonicModel.Song(w, track, annotations.GetValueOrDefault(track.Id));
        w.EndElement();
    }

    private static async Task GenresAsync(SubsonicCall call, SubsonicWriter w)
    {
        w.StartElement("genres");
        w.StartList("genre");
        await foreach (var genre in call.User.Tracks.ListGenresAsync(call.Aborted).ConfigureAwait(false))
        {
            if (string.IsNullOrEmpty(genre.Name))
            {
                continue;
            }

            w.StartItem();
            w.Attr("songCount", genre.TrackCount);
            w.Attr("albumCount", genre.AlbumCount);
            w.Text(genre.Name);
            w.EndItem();
        }

        w.EndList();
        w.EndElement();
    }

    private static TimeSpan Sum(List<LockerTrack> tracks)
    {
        var total = TimeSpan.Zero;
        foreach (var t in tracks)
        {
            total += t.Duration;
        }

        return total;
    }

    private static T Max<T>(List<LockerTrack> tracks, Func<LockerTrack, T> value)
    {
        var best = value(tracks[0]);
        foreach (var t in tracks)
        {
            var v = value(t);
            if (Comparer<T>.Default.Compare(v, best) > 0)
            {
                best = v;
            }
        }

        return best;
    }
}
