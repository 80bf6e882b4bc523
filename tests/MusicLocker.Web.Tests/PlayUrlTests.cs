using System.Net;
using System.Net.Http.Headers;
using MusicLocker.Testing;

namespace MusicLocker.Web.Tests;

/// <summary><c>locker play-url</c> signs with the web sample's key: the URL plays from the web sample, tampering gets 403.</summary>
public sealed class PlayUrlTests
{
    [Fact]
    public async Task A_url_from_the_cli_streams_the_original_from_the_web_sample_and_a_tampered_one_is_refused()
    {
        var ct = TestContext.Current.CancellationToken;
        using var folder = new TempFolder();
        string root = Path.Combine(folder.Path, "data");
        string song = Path.Combine(TestEnvironment.RepositoryRoot, "tests", "fixtures", "mp3", "vbri.mp3");
        byte[] original = await File.ReadAllBytesAsync(song, ct);

        var (upload, uploadOutput) = await LockerCli.RunAsync(folder.Path, "upload", song, "--root", root);
        Assert.True(upload == 0, uploadOutput);
        await using var app = await WebApp.StartAsync(root, ct);
        var (exit, url) = await LockerCli.RunAsync(folder.Path, "play-url", "vbri", "--root", root, "--server", app.Url);
        Assert.True(exit == 0, url);
        url = url.Trim();
        Assert.StartsWith(app.Url + "/api/locker/tracks/", url, StringComparison.Ordinal);

        using var http = new HttpClient();
        Assert.Equal(original, await http.GetByteArrayAsync(url, ct));
        using (var ranged = new HttpRequestMessage(HttpMethod.Get, url))
        {
            ranged.Headers.Range = new RangeHeaderValue(100, 1099);
            using var response = await http.SendAsync(ranged, ct);
            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            Assert.Equal(original.AsSpan(100, 1000).ToArray(), await response.Content.ReadAsByteArrayAsync(ct));
        }

        string tampered = url[..^3] + (url[^3] == 'A' ? 'B' : 'A') + url[^2..];
        using (var refused = await http.GetAsync(tampered, ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        var (other, otherOutput) = await LockerCli.RunAsync(folder.Path, "play-url", "vbri", "--root", root, "--user", "mallory", "--server", app.Url);
        Assert.Equal(3, other); // mallory has no such track: no URL is made
        Assert.Contains("no track matches", otherOutput, StringComparison.Ordinal);
    }
}
