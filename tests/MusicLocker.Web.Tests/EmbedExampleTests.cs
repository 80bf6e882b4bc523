using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using MusicLocker.Testing;

namespace MusicLocker.Web.Tests;

/// <summary>The README's "embed it" example is samples/Embed/Program.cs word for word, and it runs: upload, then stream a range.</summary>
public sealed partial class EmbedExampleTests
{
    [Fact]
    public async Task The_readme_example_is_the_compiled_sample_and_it_uploads_and_streams_a_range()
    {
        var ct = TestContext.Current.CancellationToken;
        string program = (await File.ReadAllTextAsync(Path.Combine(TestEnvironment.RepositoryRoot, "samples", "Embed", "Program.cs"), ct)).Replace("\r\n", "\n", StringComparison.Ordinal).Trim();
        string readme = (await File.ReadAllTextAsync(Path.Combine(TestEnvironment.RepositoryRoot, "README.md"), ct)).Replace("\r\n", "\n", StringComparison.Ordinal);
        Assert.Contains("```csharp\n" + program + "\n```", readme, StringComparison.Ordinal);
        Assert.InRange(program.Split('\n').Length, 10, 40);

        using var folder = new TempFolder();
        string song = Path.Combine(TestEnvironment.RepositoryRoot, "tests", "fixtures", "mp3", "vbri.mp3");
        string notAudio = Path.Combine(TestEnvironment.RepositoryRoot, "tests", "fixtures", "other", "sine.flac");
        byte[] original = await File.ReadAllBytesAsync(song, ct);
        await using var app = await WebApp.StartAsync("Embed", [song, notAudio, "--urls", "http://127.0.0.1:0"], folder.Path, Listening(), ct);
        var stored = Stored().Match(app.Output);
        Assert.True(stored.Success, app.Output);
        Assert.Contains("refused " + notAudio + ": UnsupportedFormat", app.Output, StringComparison.Ordinal);
        Assert.True(Directory.Exists(Path.Combine(folder.Path, "locker-data")));

        using var http = new HttpClient { BaseAddress = new Uri(app.Url) };
        using (var request = new HttpRequestMessage(HttpMethod.Get, stored.Groups[1].Value))
        {
            request.Headers.Add("X-User", "demo");
            request.Headers.Range = new RangeHeaderValue(1000, 4999);
            using var response = await http.SendAsync(request, ct);
            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            Assert.Equal(original.AsSpan(1000, 4000).ToArray(), await response.Content.ReadAsByteArrayAsync(ct));
        }

        using (var anonymous = await http.GetAsync(stored.Groups[1].Value, ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        using (var request = new HttpRequestMessage(HttpMethod.Get, stored.Groups[1].Value))
        {
            request.Headers.Add("X-User", "mallory");
            using var response = await http.SendAsync(request, ct);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
    }

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex Listening();

    [GeneratedRegex(@"Stored: ""[^""]*"" at (/api/locker/tracks/[0-9a-f-]+/stream)")]
    private static partial Regex Stored();
}
