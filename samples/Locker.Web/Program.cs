using Locker.Cli.Cli;
using MusicLocker;
using MusicLocker.AspNetCore;
using MusicLocker.AspNetCore.Subsonic;
using MusicLocker.Metadata;

// The web player sample: the locker of the configured user (the same settings and data folder as the `locker` CLI:
// --config/locker.json, LOCKER_* variables, --root/--storage/--metadata/--user) served on http://127.0.0.1:5080
// (--port N or LOCKER_WEB_PORT). It binds to loopback only and has no login: the app in front of it authenticates.
string? Arg(string name)
{
    int at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
}

CliSettings settings;
try
{
    settings = CliSettings.Resolve(Arg("--config"), Arg("--root"), Arg("--storage"), Arg("--metadata"), Arg("--user"));
}
catch (CliException ex)
{
    Console.Error.WriteLine("locker-web: " + ex.Message);
    return 2;
}

string portText = Arg("--port") ?? Environment.GetEnvironmentVariable("LOCKER_WEB_PORT") ?? "5080";
if (!int.TryParse(portText, out int port) || port is < 0 or > 65535)
{
    Console.Error.WriteLine($"locker-web: --port '{portText}' is not a port number (0-65535; 0 picks a free one).");
    return 2;
}

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);

OpenedLocker opened;
try
{
    opened = await LockerOpener.OpenAsync(settings, create: true, CancellationToken.None);
}
catch (Exception ex) when (ex is CliException or LockerException or IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine("locker-web: cannot open the locker: " + ex.Message);
    return 1;
}

await using var _ = opened;
builder.Services.AddSingleton(opened.Locker);
var app = builder.Build();

app.UseDefaultFiles();
app.UseStaticFiles();

string User(HttpContext _) => settings.User;
var signingKey = await WebSigningKey.LoadOrCreateAsync(settings.Root);
app.MapMusicLocker("/api/locker", o =>
{
    o.Locker = opened.Locker;
    o.UserIdResolver = User;
    o.SigningKeys.Add(new UrlSigningKey { Id = WebSigningKey.KeyId, Key = signingKey });
    o.SignedUrlLifetime = TimeSpan.FromHours(6);
});

// The OpenSubsonic API at /rest for the players people already use (docs/opensubsonic.md): API keys always
// (`locker user api-key NAME`); the legacy u+p and u+t+s sign-ins with an app password (`locker user add NAME
// --app-password P`) unless --subsonic-passwords off (or LOCKER_WEB_SUBSONIC_PASSWORDS=off).
string legacyText = Arg("--subsonic-passwords") ?? Environment.GetEnvironmentVariable("LOCKER_WEB_SUBSONIC_PASSWORDS") ?? "on";
bool legacy = legacyText switch
{
    "on" or "true" => true,
    "off" or "false" => false,
    _ => throw new ArgumentException($"--subsonic-passwords '{legacyText}' is not on or off."),
};
app.MapSubsonic(new SubsonicOptions { EnablePasswordAuth = legacy, EnableTokenAuth = legacy }, opened.Locker);

// What the page needs beyond the catalog endpoints: who it is for, the quota, search, and playlist editing.
var api = app.MapGroup("/api");
api.MapGet("me", async (CancellationToken ct) =>
{
    var user = opened.Locker.ForUser(settings.User);
    var quota = await user.Quota.GetStatusAsync(ct);
    return Results.Json(new { user = settings.User, plan = quota.Plan.Name, limitBytes = quota.LimitBytes, usedBytes = quota.UsedBytes, availableBytes = quota.AvailableBytes });
});
api.MapGet("search", async (string? q, CancellationToken ct) =>
{
    var found = new List<LockerTrack>();
    if (!string.IsNullOrWhiteSpace(q))
    {
        await foreach (var t in opened.Locker.ForUser(settings.User).Tracks.SearchAsync(q, ct))
        {
            found.Add(t);
            if (found.Count == 200)
            {
                break;
            }
        }
    }

    return Results.Json(new { items = found });
});
api.MapPost("playlists", async (string name, CancellationToken ct) =>
    await Guard(async () => Results.Json(await opened.Locker.ForUser(settings.User).Playlists.CreateAsync(name, ct))));
api.MapPost("playlists/{id:guid}/tracks", async (Guid id, Guid track, CancellationToken ct) =>
    await Guard(async () => Results.Json(await opened.Locker.ForUser(settings.User).Playlists.AddTracksAsync(id, [track], null, ct))));

app.Lifetime.ApplicationStarted.Register(() =>
    Console.WriteLine($"locker-web: the locker of '{settings.User}' ({Path.GetFullPath(settings.Root)}) on {string.Join(", ", app.Urls)}"));
await app.RunAsync();
return 0;

static async Task<IResult> Guard(Func<Task<IResult>> body)
{
    try
    {
        return await body();
    }
    catch (LockerException ex)
    {
        int status = ex.ErrorCode switch
        {
            LockerErrorCode.TrackNotFound or LockerErrorCode.PlaylistNotFound => 404,
            LockerErrorCode.InvalidArgument => 400,
            _ => 500,
        };
        return Results.Json(new { error = ex.ErrorCode.ToString(), message = ex.Message }, statusCode: status);
    }
}
