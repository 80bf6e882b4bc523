using BenchmarkDotNet.Attributes;
using MusicLocker.Media;

namespace MusicLocker.Benchmarks.Media;

/// <summary>
/// Our probe against TagLibSharp reading the same files, tags and duration (TagLibSharp with
/// <c>ReadStyle.Average</c>, the style that gives a duration), TagLibSharp the baseline: Ratio below 1 is ours faster.
/// The fixture set minus DRM files (TagLibSharp does not refuse those, our prober does).
/// </summary>
[MemoryDiagnoser]
public class ProbeVsTagLibBenchmarks
{
    private string[] _files = [];
    private MediaProber _prober = new();

    [GlobalSetup]
    public void Setup()
    {
        _files = MediaBenchmarkData.ProbeSet();
        _prober = new MediaProber();
    }

    /// <summary>TagLibSharp: open each file, read its tags and duration.</summary>
    [Benchmark(Baseline = true)]
    public long TagLibSharp()
    {
        long checksum = 0;
        foreach (var f in _files)
        {
            using var file = TagLib.File.Create(f, TagLib.ReadStyle.Average);
            checksum += (long)file.Properties.Duration.TotalMilliseconds + (file.Tag.Title?.Length ?? 0) + file.Tag.Track;
        }

        return checksum;
    }

    /// <summary>Ours: a range probe of each file (tags, exact duration; pictures located, not read).</summary>
    [Benchmark]
    public async Task<long> OurProbe()
    {
        long checksum = 0;
        foreach (var f in _files)
        {
            var info = await _prober.ProbeFileAsync(f);
            checksum += (long)info.Duration.TotalMilliseconds + (info.Tags.Title?.Length ?? 0) + (info.Tags.TrackNumber ?? 0);
        }

        return checksum;
    }
}
