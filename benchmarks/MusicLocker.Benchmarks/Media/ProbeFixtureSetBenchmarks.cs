using BenchmarkDotNet.Attributes;
using MusicLocker.Media;

namespace MusicLocker.Benchmarks.Media;

/// <summary>
/// Probing the fixture set (format + tags, no cover bytes) from files, against reading the same files whole.
/// Files/s = number of files / Mean; benchmarks/peers/mutagen_probe.py times mutagen over the same list.
/// </summary>
[MemoryDiagnoser]
public class ProbeFixtureSetBenchmarks
{
    private string[] _files = [];
    private MediaProber _prober = new();

    [GlobalSetup]
    public void Setup()
    {
        _files = MediaBenchmarkData.ProbeSet();
        _prober = new MediaProber();
    }

    /// <summary>The raw primitive: open and read each file whole.</summary>
    [Benchmark(Baseline = true)]
    public long ReadAllBytes()
    {
        long total = 0;
        foreach (var f in _files)
        {
            total += File.ReadAllBytes(f).Length;
        }

        return total;
    }

    /// <summary>Range probe of each file (tags located, pictures skipped).</summary>
    [Benchmark]
    public async Task<long> ProbeFiles()
    {
        long frames = 0;
        foreach (var f in _files)
        {
            frames += (await _prober.ProbeFileAsync(f)).FrameCount;
        }

        return frames;
    }
}
