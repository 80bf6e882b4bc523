using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using MusicLocker.Testing;

namespace MusicLocker.Web.Tests;

/// <summary>
/// The web sample in a real browser (Debian's Chromium through Playwright): upload through the page, see the track in
/// the library, play it, seek to 0:20 with the seek bar, and check the audio passed 20 s over a 206 range answer.
/// </summary>
public sealed partial class WebPlayerBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task Upload_list_play_and_seek_to_20_seconds_in_chromium_and_a_refusal_for_a_non_audio_file()
    {
        TestEnvironment.RequireServer(File.Exists(Chromium), "Debian's chromium is not installed (tests/install-prerequisites.sh installs it)");
        TestEnvironment.RequireServer(TestEnvironment.HasExecutable("ffmpeg"), "ffmpeg is not installed (tests/install-prerequisites.sh installs it)");
        var ct = TestContext.Current.CancellationToken;
        using var folder = new TempFolder();
        string song = Path.Combine(folder.Path, "browser-tone.mp3");
        await RunAsync("ffmpeg", ["-nostdin", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=523:sample_rate=44100:duration=45", "-ac", "2", "-c:a", "libmp3lame", "-b:a", "128k", "-metadata", "title=Browser Tone", "-metadata", "artist=Playwright", song], ct);
        string notAudio = Path.Combine(folder.Path, "notes.txt");
        await File.WriteAllTextAsync(notAudio, "not music at all, just text", ct);

        await using var app = await WebApp.StartAsync(Path.Combine(folder.Path, "data"), ct);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--autoplay-policy=no-user-gesture-required", "--no-sandbox", "--mute-audio"],
        });
        var page = await browser.NewPageAsync();
        var streamStatuses = new List<int>();
        page.Response += (_, response) =>
        {
            if (response.Url.Contains("/stream", StringComparison.Ordinal))
            {
                lock (streamStatuses)
                {
                    streamStatuses.Add(response.Status);
                }
            }
        };

        await page.GotoAsync(app.Url);
        await page.SetInputFilesAsync("#upload-input", song);
        await page.Locator("#upload-log li.stored").WaitForAsync();
        var row = page.Locator("#list li.track-row", new PageLocatorOptions { HasText = "Browser Tone" });
        await row.WaitForAsync();
        Assert.Contains("Playwright", await row.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Matches(QuotaText(), await page.Locator("#quota-text").InnerTextAsync());

        await row.ClickAsync();
        await page.WaitForFunctionAsync("() => document.getElementById('audio').currentTime > 0.5");
        await page.EvalOnSelectorAsync("#seek", "el => { el.value = '20'; el.dispatchEvent(new Event('input')); el.dispatchEvent(new Event('change')); }");
        await page.WaitForFunctionAsync("() => { const a = document.getElementById('audio'); return !a.paused && a.currentTime > 20.5; }");
        double position = await page.EvaluateAsync<double>("() => document.getElementById('audio').currentTime");
        Assert.InRange(position, 20.5, 45);
        lock (streamStatuses)
        {
            Assert.Contains(206, streamStatuses);
            Assert.DoesNotContain(streamStatuses, s => s >= 400);
        }

        await page.SetInputFilesAsync("#upload-input", notAudio);
        var refused = page.Locator("#upload-log li.refused");
        await refused.WaitForAsync();
        Assert.Contains("notes.txt: refused", await refused.InnerTextAsync(), StringComparison.Ordinal);

        string artifacts = Path.Combine(AppContext.BaseDirectory, "artifacts");
        Directory.CreateDirectory(artifacts);
        string screenshot = Path.Combine(artifacts, "web-player.png");
        byte[] png = await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        TestContext.Current.AddAttachment("web-player.png", png, "image/png");
        Assert.True(new FileInfo(screenshot).Length > 1000);
    }

    [GeneratedRegex(@"^\d+(\.\d+)? (kB|MB|GB) of 5\.00 GB \(")]
    private static partial Regex QuotaText();

    private static async Task RunAsync(string file, string[] args, CancellationToken ct)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        Assert.True(process.ExitCode == 0, await error);
    }
}
