using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MusicLocker.AspNetCore.Http;

namespace MusicLocker.AspNetCore;

/// <summary>Maps the music locker's HTTP endpoints.</summary>
public static class MusicLockerEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the locker's endpoints under <paramref name="prefix"/> (e.g. <c>/api/locker</c>): stream and download
    /// (range-aware, <c>?t=</c> time seeks, <c>?token=</c> signed URLs), cover art, catalog JSON (tracks, albums, artists,
    /// playlists; paged with cursors), upload, signed URLs and share links. The list, with status codes, is in
    /// <c>docs/streaming-http.md</c>. Do not put <c>RequireAuthorization</c> on the returned group if signed URLs or share
    /// links should work without cookies: each endpoint asks <see cref="MusicLockerEndpointOptions.UserIdResolver"/>
    /// itself and answers 401 when it returns nothing.
    /// </summary>
    /// <returns>The route group (add filters, rate limits, CORS to it).</returns>
    /// <exception cref="ArgumentException">An option is out of range (named <c>options.…</c>).</exception>
    public static RouteGroupBuilder MapMusicLocker(this IEndpointRouteBuilder endpoints, string prefix, Action<MusicLockerEndpointOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        var options = new MusicLockerEndpointOptions();
        configure?.Invoke(options);
        var services = endpoints.ServiceProvider;
        var locker = options.Locker ?? services.GetRequiredService<ILocker>();
        var loggers = options.LoggerFactory ?? services.GetService<ILoggerFactory>();
        var handlers = new LockerEndpoints(locker, options, loggers);

        var group = endpoints.MapGroup(prefix);
        string[] getHead = [HttpMethods.Get, HttpMethods.Head];
        group.MapMethods("tracks/{trackId:guid}/stream", getHead, handlers.StreamAsync);
        group.MapMethods("tracks/{trackId:guid}/download", getHead, handlers.DownloadAsync);
        group.MapMethods("tracks/{trackId:guid}/cover", getHead, handlers.CoverAsync);
        group.MapGet("tracks/{trackId:guid}", handlers.TrackAsync);
        group.MapGet("tracks", handlers.TracksAsync);
        group.MapPost("tracks", handlers.UploadAsync);
        group.MapGet("albums", handlers.AlbumsAsync);
        group.MapGet("artists", handlers.ArtistsAsync);
        group.MapGet("playlists", handlers.PlaylistsAsync);
        group.MapGet("playlists/{playlistId:guid}", handlers.PlaylistAsync);
        if (handlers.Signs)
        {
            group.MapPost("tracks/{trackId:guid}/signed-url", handlers.SignedUrlAsync);
            group.MapPost("shares", handlers.CreateShareAsync);
            group.MapMethods("shared/{token}", getHead, handlers.SharedAsync);
            group.MapMethods("shared/{token}/tracks/{trackId:guid}", getHead, handlers.SharedPlaylistTrackAsync);
        }

        return group;
    }
}
