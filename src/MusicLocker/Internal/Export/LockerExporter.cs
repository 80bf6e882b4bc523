using System.Globalization;
using System.Text;
using System.Text.Json;
using MusicLocker.Metadata;
using MusicLocker.Storage;

namespace MusicLocker.Internal.Export;

/// <summary>
/// One user's export: originals under <c>music/</c>, playlists as M3U8 under <c>playlists/</c>, <c>catalog.json</c> and
/// <c>history.json</c> (shapes in docs/architecture.md). Every listing is streamed from the metadata store and every file
/// from storage; only a map of track id to exported file name is held. Everything is read through this user's catalog.
/// </summary>
internal sealed class LockerExporter(LockerCore core, string userId, IExportSink sink, IProgress<ExportProgress>? progress)
{
    private readonly TrackCovers _covers = new(core, userId);
    public const string MusicFolder = "music";
    public const string PlaylistFolder = "playlists";
    public const string CatalogFile = "catalog.json";
    public const string HistoryFile = "history.json";
    private const int FormatVersion = 1;
    private const int FlushBytes = 32 * 1024;

    private static readonly JsonWriterOptions JsonOptions = new() { Indented = true };
    private static readonly TrackQuery AllTracks = new() { Sort = TrackSort.Artist, PageSize = TrackQuery.MaxPageSize };

    private readonly Dictionary<Guid, string> _files = [];
    private readonly List<(Playlist Playlist, string File, List<Guid> Tracks)> _playlists = [];
    private long _bytes;

    public async Task<ExportResult> RunAsync(CancellationToken cancellationToken)
    {
        var user = await core.Metadata.Users.EnsureAsync(userId, cancellationToken: cancellationToken).ConfigureAwait(false);
        await core.Activity.TouchAsync(userId, cancellationToken).ConfigureAwait(false);
        int total = (int)Math.Min(int.MaxValue, await CountTracksAsync(cancellationToken).ConfigureAwait(false));
        await WriteMusicAsync(total, cancellationToken).ConfigureAwait(false);
        await WritePlaylistsAsync(cancellationToken).ConfigureAwait(false);
        await sink.WriteEntryAsync(CatalogFile, true, stream => WriteCatalogAsync(stream, cancellationToken), cancellationToken).ConfigureAwait(false);
        long plays = 0;
        await sink.WriteEntryAsync(HistoryFile, true, async stream => plays = await WriteHistoryAsync(stream, user.HistoryEnabled, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        return new ExportResult(_files.Count, _playlists.Count, plays, _bytes);
    }

    private async Task<long> CountTracksAsync(CancellationToken cancellationToken)
    {
        long count = 0;
        await foreach (var _ in core.Metadata.Tracks.BrowseAsync(userId, AllTracks, cancellationToken).ConfigureAwait(false))
        {
            count++;
        }

        return count;
    }

    private async Task WriteMusicAsync(int total, CancellationToken cancellationToken)
    {
        var names = new ExportNames();
        await foreach (var track in core.Metadata.Tracks.BrowseAsync(userId, AllTracks, cancellationToken).ConfigureAwait(false))
        {
            var key = OwnKey(track);
            var properties = await core.Objects.GetPropertiesAsync(key, cancellationToken).ConfigureAwait(false);
            string stem = track.Tags.Artist is { Length: > 0 } artist ? artist + " - " + track.Tags.Title : track.Tags.Title;
            string file = names.Claim(stem, "Track", ExtensionOf(properties.ContentType, track.Codec));
            string path = MusicFolder + "/" + file;
            await sink.WriteEntryAsync(path, false, async stream =>
            {
                // The catalog's view when the app gave an edited-copy writer (as a download writes it), else the original.
                _bytes += await EditedCopies.TryWriteAsync(core, _covers, track, Media.Id3v2Version.Default, stream, cancellationToken).ConfigureAwait(false)
                    ?? (await core.Objects.DownloadToAsync(key, stream, null, cancellationToken).ConfigureAwait(false)).Length;
            }, cancellationToken).ConfigureAwait(false);
            _files[track.Id] = file;
            progress?.Report(new ExportProgress(_files.Count, Math.Max(total, _files.Count), _bytes));
        }
    }

    private async Task WritePlaylistsAsync(CancellationToken cancellationToken)
    {
        var names = new ExportNames();
        await foreach (var playlist in core.Metadata.Playlists.ListAsync(userId, cancellationToken).ConfigureAwait(false))
        {
            string file = names.Claim(playlist.Name, "Playlist", ".m3u8");
            var entries = await core.Metadata.Playlists.GetEntriesAsync(userId, playlist.Id, cancellationToken).ConfigureAwait(false);
            var ids = new List<Guid>(entries.Count);
            await sink.WriteEntryAsync(PlaylistFolder + "/" + file, true, async stream =>
            {
                var writer = new StreamWriter(stream, new UTF8Encoding(false), 16 * 1024, leaveOpen: true);
                await using (writer.ConfigureAwait(false))
                {
                    await writer.WriteAsync("#EXTM3U\n").ConfigureAwait(false);
                    foreach (var entry in entries)
                    {
                        if (!_files.TryGetValue(entry.Track.Id, out string? track))
                        {
                            continue; // catalogued after the music was written
                        }

                        ids.Add(entry.Track.Id);
                        await writer.WriteAsync(ExtInf(entry.Track)).ConfigureAwait(false);
                        await writer.WriteAsync("../" + MusicFolder + "/" + track + "\n").ConfigureAwait(false);
                    }
                }
            }, cancellationToken).ConfigureAwait(false);
            _playlists.Add((playlist, file, ids));
        }
    }

    /// <summary><c>#EXTINF:{whole seconds},{artist} - {title}</c>; line breaks in tags become spaces so they cannot add lines.</summary>
    internal static string ExtInf(TrackRecord track)
    {
        long seconds = (long)Math.Round(track.Duration.TotalSeconds, MidpointRounding.AwayFromZero);
        string title = track.Tags.Artist is { Length: > 0 } artist ? artist + " - " + track.Tags.Title : track.Tags.Title;
        var line = new StringBuilder(title.Length + 24).Append("#EXTINF:").Append(seconds.ToString(CultureInfo.InvariantCulture)).Append(',');
        foreach (char c in title)
        {
            line.Append(char.IsControl(c) ? ' ' : c);
        }

        return line.Append('\n').ToString();
    }

    private async Task WriteCatalogAsync(Stream stream, CancellationToken cancellationToken)
    {
        var json = new Utf8JsonWriter(stream, JsonOptions);
        await using (json.ConfigureAwait(false))
        {
            json.WriteStartObject();
            json.WriteNumber("formatVersion", FormatVersion);
            json.WriteString("userId", userId);
            json.WriteString("exportedAt", core.Time.GetUtcNow());
            json.WriteStartArray("tracks");
            await foreach (var track in core.Metadata.Tracks.BrowseAsync(userId, AllTracks, cancellationToken).ConfigureAwait(false))
            {
                if (_files.TryGetValue(track.Id, out string? file))
                {
                    WriteTrack(json, track, MusicFolder + "/" + file);
                    await FlushIfFullAsync(json, cancellationToken).ConfigureAwait(false);
                }
            }

            json.WriteEndArray();
            json.WriteStartArray("playlists");
            foreach (var (playlist, file, tracks) in _playlists)
            {
                json.WriteStartObject();
                json.WriteString("id", playlist.Id);
                json.WriteString("name", playlist.Name);
                json.WriteString("file", PlaylistFolder + "/" + file);
                json.WriteStartArray("trackIds");
                foreach (var id in tracks)
                {
                    json.WriteStringValue(id);
                }

                json.WriteEndArray();
                json.WriteEndObject();
                await FlushIfFullAsync(json, cancellationToken).ConfigureAwait(false);
            }

            json.WriteEndArray();
            json.WriteEndObject();
            await json.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static void WriteTrack(Utf8JsonWriter json, TrackRecord track, string file)
    {
        var tags = track.Tags;
        json.WriteStartObject();
        json.WriteString("id", track.Id);
        json.WriteString("file", file);
        json.WriteString("title", tags.Title);
        WriteOptional(json, "artist", tags.Artist);
        WriteOptional(json, "album", tags.Album);
        WriteOptional(json, "albumArtist", tags.AlbumArtist);
        WriteOptional(json, "genre", tags.Genre);
        WriteOptional(json, "year", tags.Year);
        WriteOptional(json, "trackNumber", tags.TrackNumber);
        WriteOptional(json, "discNumber", tags.DiscNumber);
        json.WriteNumber("durationMs", (long)track.Duration.TotalMilliseconds);
        json.WriteString("codec", track.Codec);
        json.WriteNumber("bitrateKbps", track.BitrateKbps);
        json.WriteNumber("sizeBytes", track.SizeBytes);
        json.WriteString("contentSha256", track.ContentHash);
        json.WriteString("audioXxh128", track.AudioHash);
        json.WriteBoolean("purchased", track.IsPurchased);
        json.WriteString("addedAt", track.AddedAt);
        json.WriteEndObject();
    }

    private async Task<long> WriteHistoryAsync(Stream stream, bool enabled, CancellationToken cancellationToken)
    {
        long plays = 0;
        var json = new Utf8JsonWriter(stream, JsonOptions);
        await using (json.ConfigureAwait(false))
        {
            json.WriteStartObject();
            json.WriteNumber("formatVersion", FormatVersion);
            json.WriteString("userId", userId);
            json.WriteBoolean("historyEnabled", enabled);
            json.WriteStartArray("plays");
            await foreach (var play in core.Metadata.History.ListPlaysAsync(userId, cancellationToken).ConfigureAwait(false))
            {
                json.WriteStartObject();
                json.WriteString("trackId", play.Track.Id);
                json.WriteString("playedAt", play.PlayedAt);
                json.WriteEndObject();
                plays++;
                await FlushIfFullAsync(json, cancellationToken).ConfigureAwait(false);
            }

            json.WriteEndArray();
            json.WriteEndObject();
            await json.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        return plays;
    }

    private static async Task FlushIfFullAsync(Utf8JsonWriter json, CancellationToken cancellationToken)
    {
        if (json.BytesPending >= FlushBytes)
        {
            await json.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, int? value)
    {
        if (value is { } number)
        {
            json.WriteNumber(name, number);
        }
    }

    /// <summary>The track's storage key, refused unless under this user's prefix (a second wall: the catalog only holds such keys).</summary>
    private BlobKey OwnKey(TrackRecord track) =>
        track.StorageKey.StartsWith(LockerKeys.UserPrefix(userId), StringComparison.Ordinal)
            ? BlobKey.Parse(track.StorageKey)
            : throw new LockerException(LockerErrorCode.Inconsistent, $"Track {track.Id} names an object outside the user's storage; run reconcile.");

    private static string ExtensionOf(string? contentType, string codec) => contentType switch
    {
        "audio/mpeg" => ".mp3",
        "audio/aac" => ".aac",
        "audio/mp4" => ".m4a",
        _ => codec == "mp3" ? ".mp3" : ".m4a",
    };
}
