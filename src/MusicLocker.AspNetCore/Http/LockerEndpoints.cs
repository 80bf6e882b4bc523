using System.Buffers.Text;
using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MusicLocker.AspNetCore.Diagnostics;
using MusicLocker.Metadata;
using MusicLocker.Streaming;

namespace MusicLocker.AspNetCore.Http;

/// <summary>The handlers behind <c>MapMusicLocker</c>: who is asking (the app's user, or a signed token), then one facade call each.</summary>
internal sealed class LockerEndpoints
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private readonly ILocker _locker;
    private readonly Func<HttpContext, string?> _userOf;
    private readonly TrackResponder _responder;
    private readonly LockerUrlSigner? _signer;
    private readonly TimeSpan _signedUrlLifetime;
    private readonly TimeSpan _maxTokenLifetime;
    private readonly long _maxUploadBytes;
    private readonly int _defaultPageSize;
    private readonly ILogger _logger;

    public LockerEndpoints(ILocker locker, MusicLockerEndpointOptions options, ILoggerFactory? loggerFactory)
    {
        if (options.DefaultPageSize is < 1 or > TrackQuery.MaxPageSize)
        {
            throw new ArgumentOutOfRangeException("options.DefaultPageSize", options.DefaultPageSize, $"DefaultPageSize must be 1 to {TrackQuery.MaxPageSize}.");
        }

        if (options.MaxTokenLifetime <= TimeSpan.Zero || options.SignedUrlLifetime <= TimeSpan.Zero || options.SignedUrlLifetime > options.MaxTokenLifetime)
        {
            throw new ArgumentOutOfRangeException("options.SignedUrlLifetime", options.SignedUrlLifetime, "SignedUrlLifetime and MaxTokenLifetime must be positive, SignedUrlLifetime at most MaxTokenLifetime.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxUploadBytes, "options.MaxUploadBytes");
        _locker = locker;
        _userOf = options.UserIdResolver ?? (static context => context.User.FindFirstValue(ClaimTypes.NameIdentifier));
        var loggers = loggerFactory ?? NullLoggerFactory.Instance;
        _responder = new TrackResponder(options.Streaming ?? new TrackResponderOptions(), loggers);
        _signer = options.SigningKeys.Count > 0 ? new LockerUrlSigner([.. options.SigningKeys], options.TimeProvider) : null;
        _signedUrlLifetime = options.SignedUrlLifetime;
        _maxTokenLifetime = options.MaxTokenLifetime;
        _maxUploadBytes = options.MaxUploadBytes;
        _defaultPageSize = options.DefaultPageSize;
        _logger = loggers.CreateLogger<LockerEndpoints>();
    }

    public bool Signs => _signer is not null;

    public Task StreamAsync(HttpContext context) => ServeTrackAsync(context, download: false);

    public Task DownloadAsync(HttpContext context) => ServeTrackAsync(context, download: true);

    public Task CoverAsync(HttpContext context) => Guarded(context, async () =>
    {
        if (UserOrChallenge(context) is not { } user || RouteGuid(context, "trackId") is not { } trackId)
        {
            return;
        }

        var cover = await user.Downloads.OpenCoverArtAsync(trackId, context.RequestAborted).ConfigureAwait(false);
        await using (cover.ConfigureAwait(false))
        {
            // A picture is small and read whole: its ETag is a hash of its bytes, so a player revalidates with a 304.
            using var picture = new MemoryStream((int)Math.Min(cover.Length, int.MaxValue));
            await cover.Content.CopyToAsync(picture, context.RequestAborted).ConfigureAwait(false);
            var bytes = picture.GetBuffer().AsSpan(0, (int)picture.Length);
            string etag = "\"" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes).AsSpan(0, 16)) + "\"";
            context.Response.Headers.ETag = etag;
            context.Response.Headers.CacheControl = "private, max-age=3600";
            if (ConditionalRequest.TryAnswer(context, etag, lastModified: null) > 0)
            {
                return;
            }

            context.Response.ContentType = cover.MimeType;
            context.Response.ContentLength = bytes.Length;
            if (!HttpMethods.IsHead(context.Request.Method))
            {
                await context.Response.Body.WriteAsync(picture.GetBuffer().AsMemory(0, (int)picture.Length), context.RequestAborted).ConfigureAwait(false);
            }
        }
    });

    public Task TrackAsync(HttpContext context) => Guarded(context, async () =>
    {
        if (UserOrChallenge(context) is { } user && RouteGuid(context, "trackId") is { } trackId)
        {
            await WriteJsonAsync(context, await user.Tracks.GetAsync(trackId, context.RequestAborted).ConfigureAwait(false)).ConfigureAwait(false);
        }
    });

    public Task TracksAsync(HttpContext context) => Guarded(context, async () =>
    {
        if (UserOrChallenge(context) is not { } user || PageSize(context) is not { } size)
        {
            return;
        }

        var query = context.Request.Query;
        var sort = TrackSort.Title;
        // One name: Enum.TryParse would also take numbers and "Title,Artist" (flags OR-ed), and a repeated sort= joins with a comma.
        if (query["sort"].ToString() is { Length: > 0 } sortText && (!sortText.All(char.IsAsciiLetter) || !Enum.TryParse(sortText, ignoreCase: true, out sort) || !Enum.IsDefined(sort)))
        {
            throw new LockerException(LockerErrorCode.InvalidArgument, "sort: expected Title, Artist, Album or RecentlyAdded.");
        }

        var page = await user.Tracks.GetPageAsync(
            new TrackQuery
            {
                PageSize = size,
                Cursor = NullIfEmpty(query["cursor"]),
                Sort = sort,
                Artist = NullIfEmpty(query["artist"]),
                Album = NullIfEmpty(query["album"]),
                AlbumArtist = NullIfEmpty(query["albumArtist"]),
                Genre = NullIfEmpty(query["genre"]),
            },
            context.RequestAborted).ConfigureAwait(false);
        await WriteJsonAsync(context, new { items = page.Items, nextCursor = page.NextCursor }).ConfigureAwait(false);
    });

    public Task AlbumsAsync(HttpContext context) => ListingAsync(context, "albums", static (user, ct) => user.Tracks.ListAlbumsAsync(ct));

    public Task ArtistsAsync(HttpContext context) => ListingAsync(context, "artists", static (user, ct) => user.Tracks.ListArtistsAsync(ct));

    public Task PlaylistsAsync(HttpContext context) => ListingAsync(context, "playlists", static (user, ct) => user.Playlists.ListAsync(ct));

    public Task PlaylistAsync(HttpContext context) => Guarded(context, async () =>
    {
        if (UserOrChallenge(context) is { } user && RouteGuid(context, "playlistId") is { } playlistId)
        {
            var playlist = await user.Playlists.GetAsync(playlistId, context.RequestAborted).ConfigureAwait(false);
            var entries = await user.Playlists.GetEntriesAsync(playlistId, context.RequestAborted).ConfigureAwait(false);
            await WriteJsonAsync(context, new { playlist, entries }).ConfigureAwait(false);
        }
    });

    public Task UploadAsync(HttpContext context) => Guarded(context, async () =>
    {
        if (UserOrChallenge(context) is not { } user)
        {
            return;
        }

        if (context.Request.ContentLength > _maxUploadBytes)
        {
            await LockerProblem.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "RequestTooLarge", $"Uploads are limited to {_maxUploadBytes:N0} bytes.").ConfigureAwait(false);
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = _maxUploadBytes;
        }

        if (context.Request.ContentType is { } contentType && contentType.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase))
        {
            // A browser form's envelope around the file would be stored as part of it: the body must be the file itself.
            // (application/x-www-form-urlencoded is curl --data-binary's default and carries the raw bytes: it is taken.)
            await LockerProblem.WriteAsync(context, StatusCodes.Status415UnsupportedMediaType, "FormUploadNotSupported", "Send the file's bytes as the request body (Content-Type audio/mpeg, audio/aac, audio/mp4 or application/octet-stream), not a multipart form.").ConfigureAwait(false);
            return;
        }

        string? fileName = NullIfEmpty(context.Request.Query["fileName"]);
        UploadResult result;
        try
        {
            result = await user.Uploads.UploadAsync(context.Request.Body, new UploadOptions { FileName = fileName }, progress: null, context.RequestAborted).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await LockerProblem.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "RequestTooLarge", $"Uploads are limited to {_maxUploadBytes:N0} bytes.").ConfigureAwait(false);
            return;
        }
        catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
        {
            // The client's body could not be read (cut short, too slow, bad chunked framing): the client's fault, answered with
            // Kestrel's status and message (they name no server detail), not an unhandled exception. Nothing was stored.
            await LockerProblem.WriteAsync(context, ex.StatusCode, "BadRequestBody", $"The upload's body could not be read: {ex.Message}").ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = result.Outcome == UploadOutcome.Stored ? StatusCodes.Status201Created : StatusCodes.Status200OK;
        context.Response.Headers.Location = context.Request.PathBase + context.Request.Path + "/" + result.Track.Id.ToString("D");
        await WriteJsonAsync(context, new { outcome = result.Outcome, track = result.Track }).ConfigureAwait(false);
    });

    public Task SignedUrlAsync(HttpContext context) => Guarded(context, async () =>
    {
        if (UserOrChallenge(context) is not { } user || RouteGuid(context, "trackId") is not { } trackId
            || ParsePermission(context) is not { } permission || Lifetime(context, _signedUrlLifetime) is not { } lifetime)
        {
            return;
        }

        _ = await user.Tracks.GetAsync(trackId, context.RequestAborted).ConfigureAwait(false); // no URL for a track the user does not have
        var expires = ExpiryOf(lifetime);
        string token = _signer!.Sign(new SignedGrant(user.UserId, SignedResource.Track, trackId, permission, expires));
        string action = permission == SignedAccess.Download ? "download" : "stream";
        await WriteJsonAsync(context, new { url = $"{GroupPath(context, 3)}/tracks/{trackId:D}/{action}?token={token}", token, expiresAt = expires }).ConfigureAwait(false);
    });

    /// <summary>When a grant made now for <paramref name="lifetime"/> expires, in the whole seconds a token holds, rounded up
    /// (the grant lasts at least <paramref name="lifetime"/>, under a second more; the answer's <c>expiresAt</c> is exactly
    /// the token's expiry).</summary>
    private DateTimeOffset ExpiryOf(TimeSpan lifetime)
    {
        var end = _signer!.TimeProvider.GetUtcNow() + lifetime;
        long seconds = end.ToUnixTimeSeconds();
        return DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.FromUnixTimeSeconds(seconds) < end ? seconds + 1 : seconds);
    }

    public Task CreateShareAsync(HttpContext context) => Guarded(context, async () =>
    {
        if (UserOrChallenge(context) is not { } user || Lifetime(context, _signedUrlLifetime) is not { } lifetime)
        {
            return;
        }

        var query = context.Request.Query;
        bool download = string.Equals(query["download"], "true", StringComparison.OrdinalIgnoreCase);
        SignedResource resource;
        Guid id;
        if (Guid.TryParse(query["track"], out id))
        {
            resource = SignedResource.Track;
            _ = await user.Tracks.GetAsync(id, context.RequestAborted).ConfigureAwait(false);
        }
        else if (Guid.TryParse(query["playlist"], out id))
        {
            resource = SignedResource.Playlist;
            _ = await user.Playlists.GetAsync(id, context.RequestAborted).ConfigureAwait(false);
        }
        else
        {
            throw new LockerException(LockerErrorCode.InvalidArgument, "track or playlist: give the id of what to share.");
        }

        var expires = ExpiryOf(lifetime);
        string token = _signer!.Sign(new SignedGrant(user.UserId, resource, id, download ? SignedAccess.Download : SignedAccess.Stream, expires));
        context.Response.StatusCode = StatusCodes.Status201Created;
        await WriteJsonAsync(context, new { url = $"{GroupPath(context, 1)}/shared/{token}", token, expiresAt = expires }).ConfigureAwait(false);
    });

    public Task SharedAsync(HttpContext context) => Guarded(context, async () =>
    {
        string? token = context.GetRouteValue("token") as string;
        var rejection = _signer!.Validate(token, out var grant);
        if (rejection != TokenRejection.None)
        {
            await RefuseAsync(context, rejection).ConfigureAwait(false);
            return;
        }

        var user = _locker.ForUser(grant!.UserId);
        if (grant.Resource == SignedResource.Track)
        {
            bool download = string.Equals(context.Request.Query["download"], "true", StringComparison.OrdinalIgnoreCase);
            if (download && grant.Access < SignedAccess.Download)
            {
                await RefuseAsync(context, TokenRejection.WrongPermission).ConfigureAwait(false);
                return;
            }

            await RespondTrackAsync(context, user, grant.ResourceId, download, grant).ConfigureAwait(false);
            return;
        }

        var playlist = await user.Playlists.GetAsync(grant.ResourceId, context.RequestAborted).ConfigureAwait(false);
        var entries = await user.Playlists.GetEntriesAsync(grant.ResourceId, context.RequestAborted).ConfigureAwait(false);
        string basePath = context.Request.PathBase + context.Request.Path;
        await WriteJsonAsync(context, new
        {
            name = playlist.Name,
            expiresAt = grant.ExpiresAt,
            download = grant.Access == SignedAccess.Download,
            tracks = entries.Select(e => new { e.Index, e.Track.Id, e.Track.Tags, e.Track.Duration, url = $"{basePath}/tracks/{e.Track.Id:D}" }),
        }).ConfigureAwait(false);
    });

    public Task SharedPlaylistTrackAsync(HttpContext context) => Guarded(context, async () =>
    {
        if (RouteGuid(context, "trackId") is not { } trackId)
        {
            return;
        }

        var rejection = _signer!.Validate(context.GetRouteValue("token") as string, out var grant);
        if (rejection == TokenRejection.None && grant!.Resource != SignedResource.Playlist)
        {
            rejection = TokenRejection.WrongResource;
        }

        bool download = string.Equals(context.Request.Query["download"], "true", StringComparison.OrdinalIgnoreCase);
        if (rejection == TokenRejection.None && download && grant!.Access < SignedAccess.Download)
        {
            rejection = TokenRejection.WrongPermission;
        }

        if (rejection != TokenRejection.None)
        {
            await RefuseAsync(context, rejection).ConfigureAwait(false);
            return;
        }

        var user = _locker.ForUser(grant!.UserId);
        var entries = await user.Playlists.GetEntriesAsync(grant.ResourceId, context.RequestAborted).ConfigureAwait(false);
        if (!entries.Any(e => e.Track.Id == trackId))
        {
            await RefuseAsync(context, TokenRejection.WrongResource).ConfigureAwait(false); // the catalog said no; storage untouched
            return;
        }

        await RespondTrackAsync(context, user, trackId, download, grant).ConfigureAwait(false);
    });

    private Task ServeTrackAsync(HttpContext context, bool download) => Guarded(context, async () =>
    {
        if (RouteGuid(context, "trackId") is not { } trackId)
        {
            return;
        }

        IUserLocker? user;
        SignedGrant? grant = null;
        string? token = context.Request.Query["token"];
        if (token is not null)
        {
            // A token decides alone (no cookie needed, none consulted): refused before the locker is touched.
            var rejection = _signer?.Authorize(token, SignedResource.Track, trackId, download ? SignedAccess.Download : SignedAccess.Stream, out grant)
                ?? TokenRejection.UnknownKey;
            if (rejection != TokenRejection.None)
            {
                await RefuseAsync(context, rejection).ConfigureAwait(false);
                return;
            }

            user = _locker.ForUser(grant!.UserId);
        }
        else
        {
            user = UserOrChallenge(context);
            if (user is null)
            {
                return;
            }
        }

        await RespondTrackAsync(context, user, trackId, download, grant).ConfigureAwait(false);
    });

    // grant: the signed token the request came with, if any (a redirect to storage expires no later than it).
    private async Task RespondTrackAsync(HttpContext context, IUserLocker user, Guid trackId, bool download, SignedGrant? grant)
    {
        TimeSpan? startAt = null;
        if (context.Request.Query.TryGetValue("t", out var t))
        {
            if (!TimeSeek.TryParseSeconds(t, out var time))
            {
                throw new LockerException(LockerErrorCode.InvalidArgument, "t: expected seconds from the start, e.g. 83 or 83.5.");
            }

            startAt = time;
        }

        string? fileName = null;
        if (download)
        {
            var track = await user.Tracks.GetAsync(trackId, context.RequestAborted).ConfigureAwait(false);
            fileName = string.IsNullOrWhiteSpace(track.Tags.Artist) ? track.Tags.Title : $"{track.Tags.Artist} - {track.Tags.Title}";
        }

        var accessLeft = grant is null ? (TimeSpan?)null : grant.ExpiresAt - _signer!.TimeProvider.GetUtcNow();
        await _responder.RespondAsync(context, user, trackId, new TrackResponseOptions { StartAt = startAt, Download = download, FileName = fileName, MaxRedirectValidity = accessLeft }).ConfigureAwait(false);
    }

    private Task ListingAsync<T>(HttpContext context, string listing, Func<IUserLocker, CancellationToken, IAsyncEnumerable<T>> list) => Guarded(context, async () =>
    {
        if (UserOrChallenge(context) is not { } user || PageSize(context) is not { } size)
        {
            return;
        }

        int skip = SkipCursor.Parse(context.Request.Query["cursor"], listing);
        var items = new List<T>(size);
        bool more = false;
        int seen = 0;
        await foreach (var item in list(user, context.RequestAborted).ConfigureAwait(false))
        {
            if (seen++ < skip)
            {
                continue;
            }

            if (items.Count == size)
            {
                more = true;
                break;
            }

            items.Add(item);
        }

        await WriteJsonAsync(context, new { items, nextCursor = more ? SkipCursor.Create(listing, skip + size) : null }).ConfigureAwait(false);
    });

    private async Task Guarded(HttpContext context, Func<Task> handler)
    {
        try
        {
            await handler().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // the client went away
        }
        catch (LockerException ex) when (!context.Response.HasStarted)
        {
            await LockerProblem.WriteAsync(context, ex, _logger).ConfigureAwait(false);
        }
    }

    private async Task RefuseAsync(HttpContext context, TokenRejection rejection)
    {
        AspNetCoreTelemetry.TokenRejections.Add(1, new KeyValuePair<string, object?>("reason", rejection.ToString()));
        AspNetCoreLog.TokenRefused(_logger, rejection);
        await LockerProblem.WriteAsync(context, StatusCodes.Status403Forbidden, "Forbidden", "The link is not valid for this request (expired, altered, or for something else).").ConfigureAwait(false);
    }

    private IUserLocker? UserOrChallenge(HttpContext context)
    {
        string? userId = _userOf(context);
        if (string.IsNullOrEmpty(userId))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.CacheControl = "no-store";
            return null;
        }

        return _locker.ForUser(userId);
    }

    private static Guid? RouteGuid(HttpContext context, string name)
    {
        // The route constraint {…:guid} already held; this reads it back.
        if (context.GetRouteValue(name) is string text && Guid.TryParse(text, out var id))
        {
            return id;
        }

        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return null;
    }

    private int? PageSize(HttpContext context)
    {
        string? text = context.Request.Query["pageSize"];
        if (text is null)
        {
            return _defaultPageSize;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int size) || size is < 1 or > TrackQuery.MaxPageSize)
        {
            throw new LockerException(LockerErrorCode.InvalidArgument, $"pageSize: expected 1 to {TrackQuery.MaxPageSize}.");
        }

        return size;
    }

    private static SignedAccess? ParsePermission(HttpContext context) => context.Request.Query["permission"].ToString() switch
    {
        "" or "stream" => SignedAccess.Stream,
        "download" => SignedAccess.Download,
        _ => throw new LockerException(LockerErrorCode.InvalidArgument, "permission: expected stream or download."),
    };

    private TimeSpan? Lifetime(HttpContext context, TimeSpan fallback)
    {
        string? text = context.Request.Query["ttl"];
        if (text is null)
        {
            return fallback;
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long seconds) || seconds < 1 || seconds > _maxTokenLifetime.TotalSeconds)
        {
            throw new LockerException(LockerErrorCode.InvalidArgument, $"ttl: expected 1 to {(long)_maxTokenLifetime.TotalSeconds} seconds.");
        }

        return TimeSpan.FromSeconds(seconds);
    }

    /// <summary>The group's path (PathBase + prefix), from the request path less its last <paramref name="segments"/> segments.</summary>
    private static string GroupPath(HttpContext context, int segments)
    {
        string path = context.Request.PathBase + context.Request.Path;
        for (int i = 0; i < segments; i++)
        {
            int slash = path.LastIndexOf('/');
            path = slash < 0 ? string.Empty : path[..slash];
        }

        return path;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static Task WriteJsonAsync<T>(HttpContext context, T value)
    {
        context.Response.Headers.CacheControl = "private, no-cache";
        return context.Response.WriteAsJsonAsync(value, Json, LockerProblem.JsonContentType, context.RequestAborted);
    }

    /// <summary>The cursor of listings the facade does not page (albums, artists, playlists): base64url of "listing:skip".</summary>
    private static class SkipCursor
    {
        public static string Create(string listing, int skip) =>
            Base64Url.EncodeToString(System.Text.Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{listing}:{skip}")));

        public static int Parse(string? cursor, string listing)
        {
            if (string.IsNullOrEmpty(cursor))
            {
                return 0;
            }

            Span<byte> bytes = stackalloc byte[64];
            if (cursor.Length > 80 || Base64Url.DecodeFromChars(cursor, bytes, out _, out int n) != System.Buffers.OperationStatus.Done)
            {
                throw Invalid();
            }

            string text = System.Text.Encoding.ASCII.GetString(bytes[..n]);
            return text.StartsWith(listing + ":", StringComparison.Ordinal)
                && int.TryParse(text.AsSpan(listing.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int skip)
                ? skip
                : throw Invalid();
        }

        private static LockerException Invalid() => new(LockerErrorCode.InvalidCursor, "cursor: not a cursor of this listing; start from the first page.");
    }
}
