using System.Diagnostics;
using System.Text.Json;
using MusicLocker.Testing;

namespace MusicLocker.Media.Tests;

/// <summary>The committed oracle values (tests/fixtures/oracles.json) still agree with the tools that made them.</summary>
public sealed class OracleTests
{
    [Theory]
    [MemberData(nameof(Fixtures.AcceptedData), MemberType = typeof(Fixtures))]
    public async Task Committed_ffprobe_packet_counts_match_a_live_ffprobe(string file)
    {
        TestEnvironment.RequireServer(TestEnvironment.HasExecutable("ffprobe"), "ffprobe is not installed (apt-get install ffmpeg)");
        var start = new ProcessStartInfo("ffprobe") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-v", "error", "-count_packets", "-select_streams", "a:0", "-show_entries", "stream=nb_read_packets", "-of", "json", Fixtures.Path(file) })
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        string output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        using var json = JsonDocument.Parse(output);
        int live = int.Parse(json.RootElement.GetProperty("streams")[0].GetProperty("nb_read_packets").GetString()!, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(Fixtures.FfprobePackets(file), live);
    }
}
