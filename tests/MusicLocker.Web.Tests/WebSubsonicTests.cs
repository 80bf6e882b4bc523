using System.Text.Json;
using MusicLocker.Testing;

namespace MusicLocker.Web.Tests;

/// <summary>The script the README promises: create a user with the CLI, upload for them, point a Subsonic client at the web sample.</summary>
public sealed class WebSubsonicTests
{
    [Fact]
    public async Task A_user_made_by_the_cli_signs_in_to_the_web_samples_subsonic_api_by_app_password_and_by_api_key()
    {
        var ct = TestContext.Current.CancellationToken;
        using var folder = new TempFolder();
        string root = Path.Combine(folder.Path, "data");
        string song = Path.Combine(TestEnvironment.RepositoryRoot, "tests", "fixtures", "mp3", "vbri.mp3");

        var (add, addOutput) = await LockerCli.RunAsync(folder.Path, "user", "add", "alice", "--app-password", "s3cret-app", "--root", root);
        Assert.True(add == 0, addOutput);
        var (upload, uploadOutput) = await LockerCli.RunAsync(folder.Path, "upload", song, "--root", root, "--user", "alice");
        Assert.True(upload == 0, uploadOutput);
        var (key, apiKey) = await LockerCli.RunAsync(folder.Path, "user", "api-key", "alice", "--root", root);
        Assert.True(key == 0, apiKey);
        apiKey = apiKey.Trim();

        await using var app = await WebApp.StartAsync(root, ct);
        using var http = new HttpClient { BaseAddress = new Uri(app.Url) };

        using (var ping = JsonDocument.Parse(await http.GetStringAsync("/rest/ping.view?u=alice&p=s3cret-app&v=1.16.1&c=test&f=json", ct)))
        {
            Assert.Equal("ok", ping.RootElement.GetProperty("subsonic-response").GetProperty("status").GetString());
        }

        using (var wrong = JsonDocument.Parse(await http.GetStringAsync("/rest/ping.view?u=alice&p=wrong&v=1.16.1&c=test&f=json", ct)))
        {
            Assert.Equal(40, wrong.RootElement.GetProperty("subsonic-response").GetProperty("error").GetProperty("code").GetInt32());
        }

        using var search = JsonDocument.Parse(await http.GetStringAsync($"/rest/search3?apiKey={Uri.EscapeDataString(apiKey)}&query=&v=1.16.1&c=test&f=json", ct));
        var songs = search.RootElement.GetProperty("subsonic-response").GetProperty("searchResult3").GetProperty("song");
        Assert.Equal(1, songs.GetArrayLength());
        string id = songs[0].GetProperty("id").GetString()!;
        byte[] streamed = await http.GetByteArrayAsync($"/rest/stream?apiKey={Uri.EscapeDataString(apiKey)}&id={Uri.EscapeDataString(id)}&v=1.16.1&c=test", ct);
        Assert.Equal(await File.ReadAllBytesAsync(song, ct), streamed);
    }
}
