using Microsoft.AspNetCore.Http;
using MusicLocker.Streaming;

namespace MusicLocker.AspNetCore.Subsonic;

/// <summary>
/// Media: stream, download, getCoverArt. stream and download send the original file through <see cref="TrackResponder"/>
/// (Range/206/416, HEAD, ETag/304); <c>timeOffset</c> starts at the MP3/ADTS frame holding that time (the exact frame seek,
/// no transcoding). <c>maxBitRate</c> and <c>format</c> other than <c>raw</c> are answered with the original file: the
/// locker does not transcode (documented in docs/opensubsonic.md).
/// </summary>
internal sealed partial class SubsonicServer
{
    private void RegisterMedia()
    {
        AddMedia("stream", call => SendTrackAsync(call, download: false));
        AddMedia("download", call => SendTrackAsync(call, download: true));
        AddMedia("getCoverArt", CoverArtAsync);
    }

    private async Task SendTrackAsync(SubsonicCall call, bool download)
    {
        var p = call.Parameters;
        var trackId = RequireTrack(p.Required("id"));
        TimeSpan? startAt = null;
        if (!download && p.Get("timeOffset") is { Length: > 0 } offset)
        {
            if (!TimeSeek.TryParseSeconds(offset, out var time))
            {
                throw SubsonicFault.Invalid("timeOffset", offset);
            }

            startAt = time > TimeSpan.Zero ? time : null;
        }

        // Look the track up first, so that "not found" is a Subsonic error (code 70) in the asked format.
        var track = await call.User.Tracks.GetAsync(trackId, call.Aborted).ConfigureAwait(false);
        string fileName = track.Tags.Title + "." + SubsonicModel.Format(track.Codec).Suffix;
        await _responder.RespondAsync(call.Http, call.User, trackId, new TrackResponseOptions { StartAt = startAt, Download = download, FileName = fileName }).ConfigureAwait(false);
    }

    /// <summary>The embedded cover of a song (or of an album's first song); <c>size</c> is accepted and ignored: the original picture is sent.</summary>
    private static async Task CoverArtAsync(SubsonicCall call)
    {
        string id = call.Parameters.Required("id");
        Guid trackId;
        if (!SubsonicIds.TryTrack(id, out trackId))
        {
            if (!SubsonicIds.TryAlbum(id, out var albumArtist, out var title))
            {
                throw SubsonicFault.NotFound("Cover art");
            }

            var tracks = await AlbumTracksAsync(call, albumArtist, title).ConfigureAwait(false);
            trackId = tracks.Count > 0 ? tracks[0].Id : throw SubsonicFault.NotFound("Cover art");
        }

        if (call.Parameters.Get("size") is { Length: > 0 } size && !int.TryParse(size, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
        {
            throw SubsonicFault.Invalid("size", size);
        }

        await using var cover = await call.User.Downloads.OpenCoverArtAsync(trackId, call.Aborted).ConfigureAwait(false);
        var response = call.Http.Response;
        response.ContentType = cover.MimeType;
        response.ContentLength = cover.Length;
        response.Headers.CacheControl = "private, max-age=86400";
        if (!HttpMethods.IsHead(call.Http.Request.Method))
        {
            await cover.Content.CopyToAsync(response.Body, call.Aborted).ConfigureAwait(false);
        }
    }
}
