using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Locker.Cli.Cli;
using MusicLocker.AspNetCore;

namespace Locker.Cli.Commands;

/// <summary>
/// <c>play-url TRACK</c>: a signed stream URL of the web sample (samples/Locker.Web) for a track — it plays in any
/// browser or player without a login until it expires (HMAC-SHA256 over user, track, permission and expiry).
/// </summary>
internal static class PlayUrlCommand
{
    public static Command Create()
    {
        var track = new Argument<string>("track") { Description = "A track id, or words that match exactly one track." };
        var server = new Option<string>("--server") { Description = "The web sample's address.", DefaultValueFactory = _ => "http://127.0.0.1:5080" };
        var ttl = new Option<TimeSpan>("--ttl") { Description = "How long the URL works (e.g. 01:00:00; at most 30 days).", DefaultValueFactory = _ => TimeSpan.FromHours(6) };
        var download = new Option<bool>("--download") { Description = "A download URL (the original file as an attachment) instead of a stream URL." };
        var command = new Command("play-url", "Print a signed URL that streams a track from the web sample (no login needed until it expires).") { track, server, ttl, download };
        command.SetAction((parse, ct) => CliHost.RunAsync(parse, ct, async context =>
        {
            var lifetime = parse.GetValue(ttl);
            if (lifetime <= TimeSpan.Zero || lifetime > TimeSpan.FromDays(30))
            {
                throw new CliException(CliExit.Usage, "--ttl must be more than zero and at most 30 days.");
            }

            if (!Uri.TryCreate(parse.GetValue(server), UriKind.Absolute, out var baseUri) || baseUri.Scheme is not ("http" or "https"))
            {
                throw new CliException(CliExit.Usage, $"--server '{parse.GetValue(server)}' is not an http(s) address.");
            }

            await using var opened = await context.OpenAsync(create: false, ct);
            var found = await LibraryCommands.ResolveTrackAsync(opened.User, parse.GetValue(track)!, ct);
            byte[] key = await WebSigningKey.LoadOrCreateAsync(context.Settings.Root, ct);
            var signer = new LockerUrlSigner([new UrlSigningKey { Id = WebSigningKey.KeyId, Key = key }]);
            bool asDownload = parse.GetValue(download);
            var expires = signer.TimeProvider.GetUtcNow() + lifetime;
            string token = signer.Sign(new SignedGrant(context.Settings.User, SignedResource.Track, found.Id, asDownload ? SignedAccess.Download : SignedAccess.Stream, expires));
            string url = $"{baseUri.AbsoluteUri.TrimEnd('/')}/api/locker/tracks/{found.Id:D}/{(asDownload ? "download" : "stream")}?token={Uri.EscapeDataString(token)}";
            if (context.Json)
            {
                CliContext.Print(new JsonObject { ["url"] = url, ["track"] = CliHost.TrackJson(found), ["expiresAt"] = expires.ToString("O", CultureInfo.InvariantCulture) });
            }
            else
            {
                Console.WriteLine(url);
            }

            return CliExit.Ok;
        }));
        return command;
    }
}
