using System.Text.Json;
using MusicLocker.Testing;

namespace MusicLocker.Media.Tests;

/// <summary>The <c>locker probe</c> sample, run as a user would (the built samples/Locker.Cli).</summary>
public sealed class ProbeCommandTests
{
    private static Task<(int ExitCode, string Output)> RunAsync(params string[] args) => LockerCli.RunAsync(Fixtures.Root, args);

    [Fact]
    public async Task Json_has_one_camelCase_object_per_file()
    {
        var (exit, output) = await RunAsync("probe", "--json", "m4a/faststart-tagged.m4a", "mp3/vbr-noheader.mp3", "other/sine.flac");

        Assert.Equal(1, exit); // one file refused
        using var json = JsonDocument.Parse(output);
        var files = json.RootElement.EnumerateArray().ToArray();
        Assert.Equal(3, files.Length);

        var m4a = files[0];
        Assert.True(m4a.GetProperty("ok").GetBoolean());
        Assert.Equal("mp4", m4a.GetProperty("container").GetString());
        Assert.Equal("aac", m4a.GetProperty("codec").GetString());
        Assert.Equal(2.5, m4a.GetProperty("durationSeconds").GetDouble(), 6);
        Assert.Equal(44100, m4a.GetProperty("sampleRate").GetInt32());
        Assert.Equal(109, m4a.GetProperty("frameCount").GetInt32());
        Assert.True(m4a.GetProperty("fastStart").GetBoolean());
        Assert.Equal("M4A Title", m4a.GetProperty("tags").GetProperty("title").GetString());
        Assert.Equal(11, m4a.GetProperty("tags").GetProperty("trackCount").GetInt32());
        Assert.Equal("image/jpeg", m4a.GetProperty("coverArt").GetProperty("mimeType").GetString());

        var mp3 = files[1];
        Assert.Equal("mp3", mp3.GetProperty("codec").GetString());
        Assert.True(mp3.GetProperty("vbr").GetBoolean());
        Assert.Equal(97, mp3.GetProperty("frameCount").GetInt32());
        Assert.False(mp3.TryGetProperty("error", out _));

        var flac = files[2];
        Assert.False(flac.GetProperty("ok").GetBoolean());
        Assert.Equal("UnsupportedFormat", flac.GetProperty("error").GetProperty("code").GetString());
        Assert.Contains("FLAC", flac.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_json_it_prints_a_table()
    {
        var (exit, output) = await RunAsync("probe", "mp3/id3v23-full.mp3");

        Assert.Equal(0, exit);
        Assert.Contains("mp3/mp3", output, StringComparison.Ordinal);
        Assert.Contains("Test Artist — Héllo Wörld", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_file_and_a_folder_are_refused_with_the_probers_codes()
    {
        using var folder = new TempFolder();
        string missing = Path.Combine(folder.Path, "missing.mp3");

        var (exit, output) = await RunAsync("probe", "--json", missing, folder.Path);

        Assert.Equal(1, exit);
        using var json = JsonDocument.Parse(output);
        var files = json.RootElement.EnumerateArray().ToArray();
        Assert.Equal("NotFound", files[0].GetProperty("error").GetProperty("code").GetString());
        Assert.Contains(missing, files[0].GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("Unreadable", files[1].GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task The_reviewed_hostile_mp4_probes_quickly_in_the_cli()
    {
        // The review measured 1.5 GB of RSS and 4-10 s for this 22 KB file.
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "hostile.m4a");
        await File.WriteAllBytesAsync(path, HostileFiles.Mp4(HostileFiles.ReviewedMp4), TestContext.Current.CancellationToken);

        var (exit, output) = await RunAsync("probe", "--json", path);

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(100, json.RootElement[0].GetProperty("frameCount").GetInt32());
    }
}
