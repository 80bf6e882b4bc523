using MusicLocker.Metadata;

namespace MusicLocker.AspNetCore.Subsonic;

/// <summary>Lists and search: getAlbumList2, getRandomSongs, search3.</summary>
internal sealed partial class SubsonicServer
{
    /// <summary>How many search hits a text search3 derives its artists and albums from.</summary>
    internal const int SearchGroupWindow = 500;

    private void RegisterLists()
    {
        Add("getAlbumList2", AlbumList2Async);
        Add("getRandomSongs", RandomSongsAsync);
        Add("search3", Search3Async);
    }

    /// <summary>
    /// getAlbumList2: every order but random is keyset-paged through <see cref="OffsetPager"/>, so a player walking the
    /// list page by page pays for the last page what it paid for the first; a random list is sampled anew each call.
    /// </summary>
    private async Task AlbumList2Async(SubsonicCall call, SubsonicWriter w)
    {
        var p = call.Parameters;
        string type = p.Required("type");
        var query = new AlbumListQuery
        {
            Count = p.Int("size", 10, 0, TrackQuery.MaxPageSize),
            Offset = p.Int("offset", 0, 0),
        };
        query = type switch
        {
            "alphabeticalByName" => query with { Order = AlbumOrder.Name },
            "alphabeticalByArtist" => query with { Order = AlbumOrder.Artist },
            "newest" => query with { Order = AlbumOrder.Newest },
            "random" => query with { Order = AlbumOrder.Random },
            "frequent" => query with { Order = AlbumOrder.Frequent },
            "recent" => query with { Order = AlbumOrder.Recent },
            "starred" => query with { Order = AlbumOrder.Starred },
            "highest" => query with { Order = AlbumOrder.Highest },
            "byYear" => query with { Order = AlbumOrder.Year, FromYear = Year(p, "fromYear"), ToYear = Year(p, "toYear") },
            "byGenre" => query with { Order = AlbumOrder.Name, Genre = p.Required("genre") },
            _ => throw SubsonicFault.Invalid("type", type),
        };
        if (p.Get("genre") is { Length: > 0 } genre)
        {
            query = query with { Genre = genre };
        }

        var albums = await AlbumPageAsync(call, query).ConfigureAwait(false);
        w.StartElement("albumList2");
        WriteAlbums(w, albums);
        w.EndElement();
    }

    /// <summary>The query's page of albums: from a remembered cursor when a player walks the list (see <see cref="OffsetPager"/>).</summary>
    private async Task<IReadOnlyList<AlbumEntry>> AlbumPageAsync(SubsonicCall call, AlbumListQuery query)
    {
        if (query.Count == 0)
        {
            return [];
        }

        if (query.Order == AlbumOrder.Random)
        {
            return await call.User.Library.GetAlbumListAsync(query, call.Aborted).ConfigureAwait(false);
        }

        string listing = string.Join('\n', "albums", query.Order, query.Genre, query.Artist, query.FromYear, query.ToYear);
        return await Pager.SeekPageAsync(call.User.UserId, listing, query.Offset, query.Count, (skip, n, cursor) =>
            call.User.Library.GetAlbumPageAsync(query with { Offset = skip, Count = n, Cursor = cursor }, call.Aborted)).ConfigureAwait(false);
    }

    private static int Year(SubsonicParameters p, string name) =>
        p.OptionalInt(name) is { } year ? year : throw SubsonicFault.Missing(name);

    private static async Task RandomSongsAsync(SubsonicCall call, SubsonicWriter w)
    {
        var p = call.Parameters;
        int size = p.Int("size", 10, 1, TrackQuery.MaxPageSize);
        string? genre = p.Get("genre") is { Length: > 0 } g ? g : null;
        var tracks = await call.User.Library.GetRandomTracksAsync(size, genre, p.OptionalInt("fromYear"), p.OptionalInt("toYear"), call.Aborted).ConfigureAwait(false);
        w.StartElement("randomSongs");
        await WriteSongsAsync(call, w, "song", tracks).ConfigureAwait(false);
        w.EndElement();
    }

    /// <summary>
    /// search3: songs are keyset-paged through <see cref="OffsetPager"/> (an empty query, or <c>""</c> as some players send,
    /// lists the whole library); artists and albums of an empty query are the library's, of a text query the ones of the
    /// first <see cref="SearchGroupWindow"/> matching songs.
    /// </summary>
    private async Task Search3Async(SubsonicCall call, SubsonicWriter w)
    {
        var p = call.Parameters;
        string text = (p.Get("query") ?? string.Empty).Trim();
        if (text is "\"\"" or "''" or "*")
        {
            text = string.Empty;
        }

        int artistCount = p.Int("artistCount", 20, 0, TrackQuery.MaxPageSize), artistOffset = p.Int("artistOffset", 0, 0);
        int albumCount = p.Int("albumCount", 20, 0, TrackQuery.MaxPageSize), albumOffset = p.Int("albumOffset", 0, 0);
        int songCount = p.Int("songCount", 20, 0, TrackQuery.MaxPageSize), songOffset = p.Int("songOffset", 0, 0);
        string user = call.User.UserId;
        IReadOnlyList<LockerTrack> songs = text.Length == 0
            ? await Pager.PageAsync(user, "all", songOffset, songCount, async (n, cursor) =>
                await call.User.Tracks.GetPageAsync(new TrackQuery { Sort = TrackSort.Artist, PageSize = n, Cursor = cursor }, call.Aborted).ConfigureAwait(false)).ConfigureAwait(false)
            : await Pager.PageAsync(user, "search\n" + text, songOffset, songCount, (n, cursor) =>
                call.User.Library.SearchPageAsync(text, n, cursor, call.Aborted)).ConfigureAwait(false);
        List<(string? Name, int Albums)> artists;
        IReadOnlyList<AlbumEntry> albums;
        if (text.Length == 0)
        {
            artists = await LibraryArtistsAsync(call, artistOffset, artistCount).ConfigureAwait(false);
            albums = await AlbumPageAsync(call, new AlbumListQuery { Order = AlbumOrder.Artist, Offset = albumOffset, Count = albumCount }).ConfigureAwait(false);
        }
        else
        {
            (artists, albums) = await GroupsOfSearchAsync(call, text, artistOffset, artistCount, albumOffset, albumCount).ConfigureAwait(false);
        }

        w.StartElement("searchResult3");
        w.StartList("artist");
        foreach (var (name, albumsOfArtist) in artists)
        {
            w.StartItem();
            SubsonicModel.Artist(w, name, albumsOfArtist, null, 0);
            w.EndItem();
        }

        w.EndList();
        WriteAlbums(w, albums);
        await WriteSongsAsync(call, w, "song", songs).ConfigureAwait(false);
        w.EndElement();
    }

    private static async Task<List<(string? Name, int Albums)>> LibraryArtistsAsync(SubsonicCall call, int offset, int count)
    {
        var result = new List<(string?, int)>();
        if (count == 0)
        {
            return result;
        }

        int index = 0;
        await foreach (var artist in call.User.Tracks.ListArtistsAsync(call.Aborted).ConfigureAwait(false))
        {
            if (index++ >= offset)
            {
                result.Add((artist.Name, artist.AlbumCount));
                if (result.Count == count)
                {
                    break;
                }
            }
        }

        return result;
    }

    private static async Task<(List<(string? Name, int Albums)> Artists, IReadOnlyList<AlbumEntry> Albums)> GroupsOfSearchAsync(
        SubsonicCall call, string text, int artistOffset, int artistCount, int albumOffset, int albumCount)
    {
        var hits = await call.User.Library.SearchPageAsync(text, SearchGroupWindow, null, call.Aborted).ConfigureAwait(false);
        var artistAlbums = new Dictionary<string, (string? Name, HashSet<string> Albums)>(StringComparer.OrdinalIgnoreCase);
        var albums = new Dictionary<string, List<LockerTrack>>(StringComparer.OrdinalIgnoreCase);
        foreach (var track in hits.Items)
        {
            string albumKey = (track.Tags.EffectiveAlbumArtist ?? string.Empty) + "\u001F" + (track.Tags.Album ?? string.Empty);
            string artistKey = track.Tags.Artist ?? string.Empty;
            if (!artistAlbums.TryGetValue(artistKey, out var entry))
            {
                artistAlbums[artistKey] = entry = (track.Tags.Artist, new HashSet<string>(StringComparer.OrdinalIgnoreCase));
            }

            entry.Albums.Add(albumKey);
            if (!albums.TryGetValue(albumKey, out var list))
            {
                albums[albumKey] = list = [];
            }

            list.Add(track);
        }

        var artists = artistAlbums.Values.Skip(artistOffset).Take(artistCount).Select(static a => (a.Name, a.Albums.Count)).ToList();
        var albumEntries = albums.Values.Skip(albumOffset).Take(albumCount).Select(static tracks =>
        {
            var first = tracks[0];
            return new AlbumEntry(first.Tags.EffectiveAlbumArtist, first.Tags.Album, tracks.Count, Sum(tracks), Max(tracks, static t => t.Tags.Year),
                first.Tags.Genre, first.Id, Max(tracks, static t => t.AddedAt), 0, null, null, 0);
        }).ToList();
        return (artists, albumEntries);
    }
}
