using System.Globalization;
using MusicLocker.Metadata;

namespace MusicLocker.AspNetCore.Subsonic;

/// <summary>Playlists: getPlaylists, getPlaylist, createPlaylist, updatePlaylist, deletePlaylist. A user sees only their own.</summary>
internal sealed partial class SubsonicServer
{
    private void RegisterPlaylists()
    {
        Add("getPlaylists", PlaylistsAsync);
        Add("getPlaylist", PlaylistAsync);
        Add("createPlaylist", CreatePlaylistAsync);
        Add("updatePlaylist", UpdatePlaylistAsync);
        Add("deletePlaylist", DeletePlaylistAsync);
    }

    private static async Task PlaylistsAsync(SubsonicCall call, SubsonicWriter w)
    {
        if (call.Parameters.Get("username") is { Length: > 0 } other && !string.Equals(other, call.Username, StringComparison.Ordinal))
        {
            throw new SubsonicFault(SubsonicErrorCode.NotAuthorized, "A user can only list their own playlists.");
        }

        w.StartElement("playlists");
        w.StartList("playlist");
        await foreach (var playlist in call.User.Playlists.ListAsync(call.Aborted).ConfigureAwait(false))
        {
            w.StartItem();
            SubsonicModel.Playlist(w, playlist, call.Username, null);
            w.EndItem();
        }

        w.EndList();
        w.EndElement();
    }

    private static Guid RequirePlaylist(string id) => SubsonicIds.TryPlaylist(id, out var playlistId) ? playlistId : throw SubsonicFault.NotFound("Playlist");

    private static Task PlaylistAsync(SubsonicCall call, SubsonicWriter w) =>
        WritePlaylistAsync(call, w, RequirePlaylist(call.Parameters.Required("id")));

    private static async Task WritePlaylistAsync(SubsonicCall call, SubsonicWriter w, Guid playlistId)
    {
        var playlist = await call.User.Playlists.GetAsync(playlistId, call.Aborted).ConfigureAwait(false);
        var entries = await call.User.Playlists.GetEntriesAsync(playlistId, call.Aborted).ConfigureAwait(false);
        var tracks = new LockerTrack[entries.Count];
        var duration = TimeSpan.Zero;
        for (int i = 0; i < entries.Count; i++)
        {
            tracks[i] = entries[i].Track;
            duration += tracks[i].Duration;
        }

        w.StartElement("playlist");
        SubsonicModel.Playlist(w, playlist with { EntryCount = entries.Count }, call.Username, duration);
        await WriteSongsAsync(call, w, "entry", tracks).ConfigureAwait(false);
        w.EndElement();
    }

    /// <summary>createPlaylist: a new playlist (<c>name</c>), or, with <c>playlistId</c>, that playlist's songs replaced; answers the playlist.</summary>
    private static async Task CreatePlaylistAsync(SubsonicCall call, SubsonicWriter w)
    {
        var p = call.Parameters;
        var songs = TrackIds(p, "songId");
        Guid playlistId;
        if (p.Get("playlistId") is { Length: > 0 } existing)
        {
            playlistId = RequirePlaylist(existing);
            foreach (var entry in await call.User.Playlists.GetEntriesAsync(playlistId, call.Aborted).ConfigureAwait(false))
            {
                await call.User.Playlists.RemoveEntryAsync(playlistId, entry.EntryId, call.Aborted).ConfigureAwait(false);
            }

            if (p.Get("name") is { Length: > 0 } rename)
            {
                await call.User.Playlists.RenameAsync(playlistId, rename, call.Aborted).ConfigureAwait(false);
            }
        }
        else
        {
            playlistId = (await call.User.Playlists.CreateAsync(p.Required("name"), call.Aborted).ConfigureAwait(false)).Id;
        }

        if (songs.Count > 0)
        {
            await call.User.Playlists.AddTracksAsync(playlistId, songs, cancellationToken: call.Aborted).ConfigureAwait(false);
        }

        await WritePlaylistAsync(call, w, playlistId).ConfigureAwait(false);
    }

    private static async Task UpdatePlaylistAsync(SubsonicCall call, SubsonicWriter w)
    {
        var p = call.Parameters;
        var playlistId = RequirePlaylist(p.Required("playlistId"));
        var add = TrackIds(p, "songIdToAdd");
        var removeIndexes = new SortedSet<int>();
        foreach (var value in p.All("songIndexToRemove"))
        {
            removeIndexes.Add(int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int index) ? index : throw SubsonicFault.Invalid("songIndexToRemove", value ?? string.Empty));
        }

        var playlist = await call.User.Playlists.GetAsync(playlistId, call.Aborted).ConfigureAwait(false);
        if (p.Get("name") is { Length: > 0 } name && name != playlist.Name)
        {
            await call.User.Playlists.RenameAsync(playlistId, name, call.Aborted).ConfigureAwait(false);
        }

        if (removeIndexes.Count > 0)
        {
            var entries = await call.User.Playlists.GetEntriesAsync(playlistId, call.Aborted).ConfigureAwait(false);
            foreach (int index in removeIndexes)
            {
                if (index >= entries.Count)
                {
                    throw SubsonicFault.Invalid("songIndexToRemove", index.ToString(CultureInfo.InvariantCulture));
                }
            }

            foreach (int index in removeIndexes)
            {
                await call.User.Playlists.RemoveEntryAsync(playlistId, entries[index].EntryId, call.Aborted).ConfigureAwait(false);
            }
        }

        if (add.Count > 0)
        {
            await call.User.Playlists.AddTracksAsync(playlistId, add, cancellationToken: call.Aborted).ConfigureAwait(false);
        }
    }

    private static async Task DeletePlaylistAsync(SubsonicCall call, SubsonicWriter w)
    {
        if (!await call.User.Playlists.DeleteAsync(RequirePlaylist(call.Parameters.Required("id")), call.Aborted).ConfigureAwait(false))
        {
            throw SubsonicFault.NotFound("Playlist");
        }
    }

    private static List<Guid> TrackIds(SubsonicParameters p, string name)
    {
        var ids = new List<Guid>();
        foreach (var value in p.All(name))
        {
            if (!string.IsNullOrEmpty(value))
            {
                ids.Add(RequireTrack(value));
            }
        }

        return ids;
    }
}
