using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MusicLocker.Metadata;

namespace MusicLocker.AspNetCore.Subsonic;

/// <summary>
/// The Subsonic endpoint: reads the parameters (query and form), checks the version, authenticates, runs the method and
/// writes <c>subsonic-response</c> in the asked format. Every failure is answered as a Subsonic error in that format.
/// </summary>
internal sealed partial class SubsonicServer
{
    private static readonly ActivitySource Source = new("MusicLocker.AspNetCore", typeof(SubsonicServer).Assembly.GetName().Version?.ToString());

    private readonly Dictionary<string, Method> _methods;
    private readonly SubsonicSettings _settings;
    private readonly SubsonicAuthenticator _authenticator;
    private readonly TrackResponder _responder;

    public SubsonicServer(ILocker locker, SubsonicSettings settings)
    {
        _settings = settings;
        _authenticator = new SubsonicAuthenticator(locker, settings);
        _responder = new TrackResponder(settings.Streaming, settings.LoggerFactory);
        Pager = new OffsetPager(settings.Time);
        _methods = new Dictionary<string, Method>(StringComparer.OrdinalIgnoreCase);
        RegisterSystem();
        RegisterBrowsing();
        RegisterLists();
        RegisterPlaylists();
        RegisterMedia();
        RegisterAnnotations();
    }

    internal OffsetPager Pager { get; }

    private delegate Task Writing(SubsonicCall call, SubsonicWriter writer);

    private delegate Task Sending(SubsonicCall call);

    /// <summary>A method: writes into the response document, or (media) sends its own body.</summary>
    private sealed record Method(Writing? Write, Sending? Send, bool Anonymous);

    private void Add(string name, Writing write, bool anonymous = false) => _methods[name] = new Method(write, null, anonymous);

    private void AddMedia(string name, Sending send) => _methods[name] = new Method(null, send, false);

    public async Task HandleAsync(HttpContext http, string name)
    {
        if (name.EndsWith(".view", StringComparison.OrdinalIgnoreCase))
        {
            name = name[..^5];
        }

        using var activity = Source.StartActivity("subsonic." + name.ToLowerInvariant());
        var format = SubsonicFormat.Xml;
        string? callback = null;
        try
        {
            var parameters = await SubsonicParameters.ReadAsync(http.Request, http.RequestAborted).ConfigureAwait(false);
            (format, callback) = ReadFormat(parameters);
            if (!_methods.TryGetValue(name, out var method))
            {
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                throw new SubsonicFault(SubsonicErrorCode.Generic, $"Unknown method '{(name.Length <= 64 ? name : name[..64])}'.");
            }

            CheckVersion(parameters);
            var call = method.Anonymous
                ? new SubsonicCall(http, parameters, null, string.Empty)
                : await AuthenticateAsync(http, parameters).ConfigureAwait(false);
            activity?.SetTag("musiclocker.user", call.Username);
            if (method.Send is { } send)
            {
                await send(call).ConfigureAwait(false);
                return;
            }

            using var writer = SubsonicWriter.Create(format, callback);
            writer.StartResponse(ok: true, _settings.ServerVersion);
            await method.Write!(call, writer).ConfigureAwait(false);
            await SendAsync(http, writer).ConfigureAwait(false);
        }
        catch (Exception ex) when (Answer(ex) is { } fault && !http.Response.HasStarted)
        {
            activity?.SetStatus(ActivityStatusCode.Error, fault.Message);
            activity?.SetTag("error.type", fault.Code.ToString());
            SubsonicLog.Refused(_settings.Logger, name, (int)fault.Code, fault.Message);
            if (fault.RetryAfter is { } retry)
            {
                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                http.Response.Headers.RetryAfter = Math.Ceiling(retry.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            }

            await WriteErrorAsync(http, format, callback, fault).ConfigureAwait(false);
        }
    }

    private async Task<SubsonicCall> AuthenticateAsync(HttpContext http, SubsonicParameters parameters)
    {
        string client = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var (user, username) = await _authenticator.AuthenticateAsync(parameters, client, http.RequestAborted).ConfigureAwait(false);
        return new SubsonicCall(http, parameters, user, username);
    }

    /// <summary><c>f</c>: xml (default), json, jsonp (with a <c>callback</c> that is a plain JavaScript name, so nothing can be injected).</summary>
    private static (SubsonicFormat Format, string? Callback) ReadFormat(SubsonicParameters parameters)
    {
        string? f = parameters.Get("f");
        if (string.Equals(f, "json", StringComparison.OrdinalIgnoreCase))
        {
            return (SubsonicFormat.Json, null);
        }

        if (!string.Equals(f, "jsonp", StringComparison.OrdinalIgnoreCase))
        {
            return (SubsonicFormat.Xml, null);
        }

        string? callback = parameters.Get("callback");
        if (string.IsNullOrEmpty(callback))
        {
            throw new SubsonicFault(SubsonicErrorCode.MissingParameter, "Required parameter 'callback' is missing (f=jsonp).") { Format = SubsonicFormat.Json };
        }

        if (callback.Length > 100 || !IsJavaScriptName(callback))
        {
            throw new SubsonicFault(SubsonicErrorCode.Generic, "Parameter 'callback' must be a JavaScript name (letters, digits, _, $ and dots).") { Format = SubsonicFormat.Json };
        }

        return (SubsonicFormat.Jsonp, callback);
    }

    private static bool IsJavaScriptName(string name)
    {
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            bool ok = char.IsAsciiLetter(c) || c is '_' or '$' || (i > 0 && (char.IsAsciiDigit(c) || c == '.'));
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary><c>v</c> and <c>c</c> are required; a major version other than 1 or a version past 1.16.1 is incompatible.</summary>
    private static void CheckVersion(SubsonicParameters parameters)
    {
        string v = parameters.Required("v");
        parameters.Required("c");
        var parts = v.Split('.');
        var numbers = new int[3];
        for (int i = 0; i < parts.Length; i++)
        {
            if (i >= 3 || !int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]))
            {
                throw SubsonicFault.Invalid("v", v);
            }
        }

        if (numbers[0] < 1)
        {
            throw new SubsonicFault(SubsonicErrorCode.ClientMustUpgrade, $"Incompatible Subsonic REST protocol version {v}: the client must upgrade to 1.x.");
        }

        if (numbers[0] > 1 || (numbers[0] == 1 && (numbers[1] > 16 || (numbers[1] == 16 && numbers[2] > 1))))
        {
            throw new SubsonicFault(SubsonicErrorCode.ServerMustUpgrade, $"Incompatible Subsonic REST protocol version {v}: this server speaks up to {SubsonicWriter.ApiVersion}.");
        }
    }

    /// <summary>What a failure is answered as: typed locker errors map to Subsonic codes; anything else is logged and answered as code 0.</summary>
    private SubsonicFault? Answer(Exception ex) => ex switch
    {
        SubsonicFault fault => fault,
        LockerException { ErrorCode: LockerErrorCode.TrackNotFound } => SubsonicFault.NotFound("Song"),
        LockerException { ErrorCode: LockerErrorCode.PlaylistNotFound } => SubsonicFault.NotFound("Playlist"),
        LockerException { ErrorCode: LockerErrorCode.CoverArtNotFound } => SubsonicFault.NotFound("Cover art"),
        LockerException { ErrorCode: LockerErrorCode.InvalidArgument or LockerErrorCode.InvalidCursor } locker => new SubsonicFault(SubsonicErrorCode.Generic, locker.Message),
        OperationCanceledException => null,
        BadHttpRequestException bad => new SubsonicFault(SubsonicErrorCode.Generic, "Bad request: " + bad.Message),
        _ => Unexpected(ex),
    };

    private SubsonicFault Unexpected(Exception ex)
    {
        SubsonicLog.Failed(_settings.Logger, ex, "request");
        return new SubsonicFault(SubsonicErrorCode.Generic, "The server failed to answer; see its log.");
    }

    private async Task WriteErrorAsync(HttpContext http, SubsonicFormat format, string? callback, SubsonicFault fault)
    {
        using var writer = SubsonicWriter.Create(fault.Format ?? format, fault.Format is null ? callback : null);
        writer.StartResponse(ok: false, _settings.ServerVersion);
        writer.StartElement("error");
        writer.Attr("code", (long)fault.Code);
        writer.Attr("message", fault.Message);
        writer.EndElement();
        await SendAsync(http, writer).ConfigureAwait(false);
    }

    private static async Task SendAsync(HttpContext http, SubsonicWriter writer)
    {
        var body = writer.Finish();
        http.Response.ContentType = writer.ContentType;
        http.Response.ContentLength = body.Length;
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers.XContentTypeOptions = "nosniff";
        if (!HttpMethods.IsHead(http.Request.Method))
        {
            await http.Response.Body.WriteAsync(body, http.RequestAborted).ConfigureAwait(false);
        }
    }

    private static void WriteAlbums(SubsonicWriter w, IEnumerable<AlbumEntry> albums)
    {
        w.StartList("album");
        foreach (var album in albums)
        {
            w.StartItem();
            SubsonicModel.Album(w, album);
            w.EndItem();
        }

        w.EndList();
    }

    /// <summary>Writes a list of songs with their annotations (one query for the page).</summary>
    private static async Task WriteSongsAsync(SubsonicCall call, SubsonicWriter w, string element, IReadOnlyList<LockerTrack> tracks)
    {
        var annotations = await AnnotationsAsync(call, tracks).ConfigureAwait(false);
        w.StartList(element);
        foreach (var track in tracks)
        {
            w.StartItem();
            SubsonicModel.Song(w, track, annotations.GetValueOrDefault(track.Id));
            w.EndItem();
        }

        w.EndList();
    }

    private static async Task<Dictionary<Guid, TrackAnnotation>> AnnotationsAsync(SubsonicCall call, IReadOnlyList<LockerTrack> tracks)
    {
        var result = new Dictionary<Guid, TrackAnnotation>();
        for (int start = 0; start < tracks.Count; start += TrackQuery.MaxPageSize)
        {
            var ids = new Guid[Math.Min(TrackQuery.MaxPageSize, tracks.Count - start)];
            for (int i = 0; i < ids.Length; i++)
            {
                ids[i] = tracks[start + i].Id;
            }

            foreach (var a in await call.User.Annotations.GetTrackAnnotationsAsync(ids, call.Aborted).ConfigureAwait(false))
            {
                result[a.TrackId] = a;
            }
        }

        return result;
    }

    private static Guid RequireTrack(string id) => SubsonicIds.TryTrack(id, out var trackId) ? trackId : throw SubsonicFault.NotFound("Song");
}
