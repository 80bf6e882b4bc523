using System.Diagnostics;
using System.Text.Json;
using MusicLocker.Testing;

namespace MusicLocker.AspNetCore.Tests.Subsonic;

/// <summary>
/// A real, independent client: the npm package <c>subsonic-api</c> 3.3.1 (tests/package.json) driven by a Node script
/// against the server on a free port — with an API key by GET, by POST form (formPost), and with token authentication.
/// </summary>
public sealed class SubsonicClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>tests/node_modules/subsonic-api, else the folder named by MUSICLOCKER_SUBSONIC_API (a local install).</summary>
    private static string? ClientModule()
    {
        foreach (var folder in new[] { Path.Combine(TestEnvironment.RepositoryRoot, "tests", "node_modules", "subsonic-api"), Environment.GetEnvironmentVariable("MUSICLOCKER_SUBSONIC_API") })
        {
            if (folder is not null && File.Exists(Path.Combine(folder, "lib", "index.js")))
            {
                return Path.Combine(folder, "lib", "index.js");
            }
        }

        return null;
    }

    [Theory]
    [InlineData("apiKey", false)]
    [InlineData("apiKey", true)]
    [InlineData("token", false)]
    public async Task The_npm_subsonic_api_client_browses_searches_edits_and_streams_the_original_bytes(string auth, bool post)
    {
        string? module = ClientModule();
        TestEnvironment.RequireServer(module is not null && TestEnvironment.HasExecutable("node"), "node and the npm package subsonic-api (tests/install-prerequisites.sh)");
        await using var host = await SubsonicHost.StartAsync(o => o.EnableTokenAuth = true);
        using var folder = new TempFolder();
        object credentials = auth == "apiKey" ? new { apiKey = host.AnnKey } : new { username = "ann", password = SubsonicHost.AnnPassword };
        string config = Path.Combine(folder.Path, "config.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new { module, url = host.BaseAddress.ToString(), auth = credentials, post, @out = folder.Path }), Ct);

        var run = Process.Start(new ProcessStartInfo("node", [Path.Combine(AppContext.BaseDirectory, "Subsonic", "subsonic-client.mjs"), config])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var stdout = run.StandardOutput.ReadToEndAsync(Ct);
        var stderr = run.StandardError.ReadToEndAsync(Ct);
        await run.WaitForExitAsync(Ct);
        Assert.True(run.ExitCode == 0, await stderr);
        using var seen = JsonDocument.Parse(await stdout);
        var root = seen.RootElement;

        var original = await File.ReadAllBytesAsync(SubsonicHost.FixturePath("mp3/id3v23-full.mp3"), Ct);
        string songId = "tr-" + host.Ann["mp3/id3v23-full.mp3"].ToString("N");
        Assert.True(root.GetProperty("openSubsonic").GetBoolean());
        Assert.Equal("Fixture Album", root.GetProperty("album").GetString());
        Assert.Equal(songId, root.GetProperty("song").GetProperty("id").GetString());
        Assert.Equal(original.Length, root.GetProperty("song").GetProperty("size").GetInt64());
        Assert.Equal([songId], root.GetProperty("search").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(host.Ann.Values.Select(id => "tr-" + id.ToString("N")).Order(), root.GetProperty("allSongs").EnumerateArray().Select(e => e.GetString()!).Order());
        Assert.Equal("Renamed by node", root.GetProperty("playlist").GetProperty("name").GetString());
        Assert.Equal([songId, songId], root.GetProperty("playlist").GetProperty("entries").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(0, root.GetProperty("playlistsAfterDelete").GetInt32());
        Assert.Equal([songId], root.GetProperty("starred").EnumerateArray().Select(e => e.GetString()));
        Assert.Single(await host.Locker.ForUser("ann").History.GetRecentlyPlayedAsync(cancellationToken: Ct));

        Assert.Equal(200, root.GetProperty("full").GetInt32());
        Assert.Equal(original, await File.ReadAllBytesAsync(Path.Combine(folder.Path, "full.bin"), Ct));
        Assert.Equal(206, root.GetProperty("range").GetInt32());
        Assert.Equal(original.AsSpan(100, 1000).ToArray(), await File.ReadAllBytesAsync(Path.Combine(folder.Path, "range.bin"), Ct));
        byte[] seek = await File.ReadAllBytesAsync(Path.Combine(folder.Path, "seek.bin"), Ct);
        Assert.InRange(seek.Length, 1, original.Length - 1);
        Assert.Equal(original.AsSpan(original.Length - seek.Length).ToArray(), seek);
        Assert.Equal(200, root.GetProperty("cover").GetInt32());
        using var cover = await host.Locker.ForUser("ann").Downloads.OpenCoverArtAsync(host.Ann["mp3/id3v23-full.mp3"], Ct);
        using var expected = new MemoryStream();
        await cover.Content.CopyToAsync(expected, Ct);
        Assert.Equal(expected.ToArray(), await File.ReadAllBytesAsync(Path.Combine(folder.Path, "cover.bin"), Ct));
    }
}
