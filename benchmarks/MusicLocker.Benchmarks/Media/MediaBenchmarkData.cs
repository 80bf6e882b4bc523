namespace MusicLocker.Benchmarks.Media;

/// <summary>The fixture files of tests/fixtures and a large MP3 built from them.</summary>
internal static class MediaBenchmarkData
{
    public static string FixturesRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MusicLocker.Sdk.sln")))
            {
                dir = dir.Parent;
            }

            return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("MusicLocker.Sdk.sln not found"), "tests", "fixtures");
        }
    }

    /// <summary>Every accepted fixture (the probe set; the same list benchmarks/peers/mutagen_probe.py times).</summary>
    public static string[] ProbeSet() =>
        [.. new[] { "mp3", "aac", "m4a" }.SelectMany(d => Directory.GetFiles(Path.Combine(FixturesRoot, d)))
            .Where(f => !Path.GetFileName(f).StartsWith("drm-", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

    /// <summary>A VBR MP3 without any header of about <paramref name="bytes"/> bytes: the audio of a fixture repeated.</summary>
    public static byte[] LargeVbrMp3(int bytes)
    {
        var audio = File.ReadAllBytes(Path.Combine(FixturesRoot, "mp3", "vbr-noheader.mp3"));
        var result = new byte[bytes / audio.Length * audio.Length];
        for (int at = 0; at < result.Length; at += audio.Length)
        {
            audio.CopyTo(result, at);
        }

        return result;
    }
}
