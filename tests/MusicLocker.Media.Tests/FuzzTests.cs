using System.Diagnostics;

namespace MusicLocker.Media.Tests;

/// <summary>
/// Hostile input: the fixtures mutated (bit flips, truncation, corrupted size fields, spliced boxes and tags) for a
/// fixed budget of cases with a fixed seed. Only <see cref="MediaFormatException"/> may escape, no case may hang, and
/// memory stays bounded. MEDIA_FUZZ_CASES sets the budget (default 50,000, about 5-10 s here); MEDIA_FUZZ_SEED the seed.
/// </summary>
public sealed class FuzzTests
{
    private static readonly string[] Seeds = [.. Fixtures.Accepted, "m4a/drm-enca-cenc.m4a", "other/tag-only.mp3", "other/layer2.mp2"];

    [Fact]
    public async Task Mutated_fixtures_raise_only_media_format_errors()
    {
        int cases = int.TryParse(Environment.GetEnvironmentVariable("MEDIA_FUZZ_CASES"), out int c) ? c : 50_000;
        int seed = int.TryParse(Environment.GetEnvironmentVariable("MEDIA_FUZZ_SEED"), out int s) ? s : 20261122;
        // The fixtures, and files whose tables and headers claim far more than they hold (issue 9 §5b).
        var corpus = Seeds.Select(Fixtures.Bytes)
            .Concat(HostileFiles.Mp4Variants.Values.Select(HostileFiles.Mp4))
            .Append(HostileFiles.Mp3WithHeaderFrames("mp3/vbr-xing-lame.mp3", 2500, uint.MaxValue))
            .Append(HostileFiles.Mp3WithHeaderFrames("mp3/vbri.mp3", 2500, uint.MaxValue))
            .ToArray();
        var random = new Random(seed);
        var options = new MediaProbeOptions { MaxLeadingJunk = 64 * 1024 };
        var prober = new MediaProber(options);
        int accepted = 0, refused = 0;
        var slow = new List<string>();
        var clock = new Stopwatch();
        var ct = TestContext.Current.CancellationToken;
        var run = Task.Run(() =>
        {
            for (int i = 0; i < cases; i++)
            {
                var input = Mutate(corpus, random, out string how);
                clock.Restart();
                long before = GC.GetAllocatedBytesForCurrentThread();
                try
                {
                    // Alternate the ways in: whole, chunked push, range reads.
                    var info = (i % 3) switch
                    {
                        0 => prober.Probe(input),
                        1 => Chunked(prober, input, random.Next(1, 700)),
                        _ => prober.ProbeAsync(new MemoryRandomAccessSource(input)).GetAwaiter().GetResult(),
                    };
                    _ = info.Duration;
                    _ = info.SeekIndex?.ToArray();
                    _ = info.Tags.IsEmpty;
                    accepted++;
                }
                catch (MediaFormatException)
                {
                    refused++;
                }
                catch (Exception e)
                {
                    throw new InvalidOperationException($"Case {i} (seed {seed}, {how}, {input.Length} bytes) threw {e.GetType().Name}: {e.Message}", e);
                }

                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                if (allocated > 32L * 1024 * 1024)
                {
                    throw new InvalidOperationException($"Case {i} ({how}) allocated {allocated} bytes for a {input.Length}-byte input");
                }

                if (clock.Elapsed > TimeSpan.FromSeconds(2))
                {
                    slow.Add($"case {i} ({how}, {input.Length} bytes): {clock.Elapsed.TotalMilliseconds:F0} ms");
                }
            }
        }, ct);

        await run.WaitAsync(TimeSpan.FromMinutes(3), ct); // a TimeoutException here means a case hung
        Assert.True(slow.Count == 0, $"slow cases (seed {seed}): {string.Join("; ", slow.Take(10))}");
        Assert.True(accepted > cases / 20, $"only {accepted} of {cases} mutated files were accepted: the mutations are too destructive to test parsing");
        Assert.True(refused > cases / 20, $"only {refused} of {cases} mutated files were refused");
    }

    private static MediaInfo Chunked(MediaProber prober, byte[] input, int chunk)
    {
        var parser = prober.CreateStreamParser();
        for (int i = 0; i < input.Length; i += chunk)
        {
            parser.Append(input.AsSpan(i, Math.Min(chunk, input.Length - i)));
        }

        return parser.Complete();
    }

    private static byte[] Mutate(byte[][] corpus, Random random, out string how)
    {
        var source = corpus[random.Next(corpus.Length)];
        var data = (byte[])source.Clone();
        switch (random.Next(6))
        {
            case 0:
                {
                    int flips = random.Next(1, 16);
                    for (int i = 0; i < flips && data.Length > 0; i++)
                    {
                        data[random.Next(data.Length)] ^= (byte)(1 << random.Next(8));
                    }

                    how = $"{flips} bit flips";
                    return data;
                }

            case 1:
                how = "truncation";
                return data[..random.Next(data.Length + 1)];
            case 2:
                {
                    // Corrupt a size field: overwrite 4 bytes just before a box type or tag id with a hostile length.
                    int at = FindStructure(data, random);
                    uint[] hostile = [0, 1, 7, 8, 0x7FFFFFFF, 0xFFFFFFFF, (uint)random.Next(), (uint)data.Length, (uint)random.Next(16, 5000)];
                    uint value = hostile[random.Next(hostile.Length)];
                    // Before the marker: the box or frame size; after it: a count, a timescale, a duration, an offset.
                    int field = random.Next(3) == 0 ? at - 4 : at + (4 * random.Next(1, 8));
                    if (field >= 0 && field <= data.Length - 4)
                    {
                        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(field), value);
                    }

                    how = $"field at {field} = {value}";
                    return data;
                }

            case 3:
                {
                    // Splice: a random slice of another fixture inserted at a random place.
                    var other = corpus[random.Next(corpus.Length)];
                    int from = random.Next(other.Length);
                    int length = random.Next(Math.Min(4096, other.Length - from) + 1);
                    int at = random.Next(data.Length + 1);
                    how = $"splice {length} bytes at {at}";
                    return [.. data.AsSpan(0, at), .. other.AsSpan(from, length), .. data.AsSpan(at)];
                }

            case 4:
                {
                    // Duplicate or drop a region (boxes repeated, frames missing).
                    int a = random.Next(data.Length + 1);
                    int b = Math.Min(data.Length, a + random.Next(1, 2048));
                    how = random.Next(2) == 0 ? $"drop {a}..{b}" : $"repeat {a}..{b}";
                    return how[0] == 'd' ? [.. data.AsSpan(0, a), .. data.AsSpan(b)] : [.. data.AsSpan(0, b), .. data.AsSpan(a, b - a), .. data.AsSpan(b)];
                }

            default:
                {
                    int n = random.Next(1, 64);
                    for (int i = 0; i < n && data.Length > 0; i++)
                    {
                        data[random.Next(data.Length)] = (byte)random.Next(256);
                    }

                    how = $"{n} random bytes";
                    return data;
                }
        }
    }

    private static int FindStructure(byte[] data, Random random)
    {
        string[] markers = ["moov", "trak", "mdia", "stbl", "stsz", "stco", "co64", "stts", "stsc", "esds", "ilst", "mdat", "data", "meta", "TIT2", "APIC", "TPE1", "APETAGEX"];
        var marker = System.Text.Encoding.ASCII.GetBytes(markers[random.Next(markers.Length)]);
        int found = data.AsSpan().IndexOf(marker);
        return found >= 0 ? found + (marker.Length == 8 ? 16 : 0) : random.Next(data.Length + 1);
    }
}
