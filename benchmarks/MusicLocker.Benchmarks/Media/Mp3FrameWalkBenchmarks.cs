using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using MusicLocker.Media;

namespace MusicLocker.Benchmarks.Media;

/// <summary>
/// The exact frame walk of a 64 MiB VBR MP3 without a Xing header, in memory and from a file in the page cache, against
/// the raw primitive: a loop that reads each 4-byte header and hops to the next one with no validation, resync,
/// counting limits or seek index. GB/s = 64 MiB / Mean.
/// </summary>
[MemoryDiagnoser]
public class Mp3FrameWalkBenchmarks
{
    private const int Size = 64 * 1024 * 1024;
    private static readonly ushort[] Kbps = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0];
    private byte[] _data = [];
    private string _file = string.Empty;
    private MediaProber _prober = new();

    [GlobalSetup]
    public void Setup()
    {
        _data = MediaBenchmarkData.LargeVbrMp3(Size);
        _file = Path.Combine(Path.GetTempPath(), "ml-bench-walk.mp3");
        File.WriteAllBytes(_file, _data);
        _prober = new MediaProber();
    }

    [GlobalCleanup]
    public void Cleanup() => File.Delete(_file);

    /// <summary>Header hop only (MPEG-1 Layer III, 44.1 kHz): the floor any walker pays.</summary>
    [Benchmark(Baseline = true)]
    public long RawHeaderHop()
    {
        var span = _data.AsSpan();
        long frames = 0;
        int pos = 0;
        while (pos <= span.Length - 4)
        {
            uint h = BinaryPrimitives.ReadUInt32BigEndian(span[pos..]);
            int kbps = Kbps[(int)((h >> 12) & 15)];
            if ((h & 0xFFE00000) != 0xFFE00000 || kbps == 0)
            {
                break;
            }

            pos += (144 * kbps * 1000 / 44100) + (int)((h >> 9) & 1);
            frames++;
        }

        return frames;
    }

    /// <summary>The push parser over the whole buffer in 1 MiB chunks (as an upload arrives): confirmed sync, counting, seek index.</summary>
    [Benchmark]
    public long StreamParserWalk()
    {
        var parser = _prober.CreateStreamParser();
        for (int at = 0; at < _data.Length; at += 1024 * 1024)
        {
            parser.Append(_data.AsSpan(at, Math.Min(1024 * 1024, _data.Length - at)));
        }

        return parser.Complete().FrameCount;
    }

    /// <summary>A range probe of the file (page cache warm): no Xing header, so it streams the file once and walks it.</summary>
    [Benchmark]
    public async Task<long> ProbeFileWalk() => (await _prober.ProbeFileAsync(_file)).FrameCount;
}
