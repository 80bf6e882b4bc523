using System.Diagnostics;
using MusicLocker.Testing;

namespace MusicLocker.Media.Tests;

/// <summary>
/// Files that claim more than they hold (issue 9 §5b): every probe entry point must answer quickly, with memory bounded
/// by the bytes present and the <see cref="MediaProbeOptions"/>, and all of them must give the same answer.
/// </summary>
public sealed class HostileInputTests
{
    /// <summary>What one probe may allocate here: buffers (pooled reads up to 1 MiB, the tail), tables as large as the input, the result.</summary>
    private const long AllocationBudget = 8L * 1024 * 1024;

    public static TheoryData<string> Mp4Variants() => new(HostileFiles.Mp4Variants.Keys);

    private enum EntryPoint
    {
        PushParser,
        ProbeSpan,
        ProbeStream,
        ProbeRandomAccess,
        ProbeFile,
    }

    /// <summary>Runs one entry point on this thread (every source here completes synchronously) and measures it.</summary>
    private static (MediaInfo? Info, MediaFormatException? Error, long Allocated, TimeSpan Elapsed) Run(EntryPoint entry, byte[] data, string path, MediaProbeOptions? options = null)
    {
        var prober = new MediaProber(options);
        var clock = Stopwatch.StartNew();
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            MediaInfo info;
            switch (entry)
            {
                case EntryPoint.PushParser:
                    var parser = prober.CreateStreamParser();
                    for (int i = 0; i < data.Length; i += 4096)
                    {
                        parser.Append(data.AsSpan(i, Math.Min(4096, data.Length - i)));
                    }

                    info = parser.Complete();
                    break;
                case EntryPoint.ProbeSpan:
                    info = prober.Probe(data);
                    break;
                case EntryPoint.ProbeStream:
                    info = Synchronously(prober.ProbeStreamAsync(new MemoryStream(data, writable: false)));
                    break;
                case EntryPoint.ProbeRandomAccess:
                    info = Synchronously(prober.ProbeAsync(new MemoryRandomAccessSource(data)));
                    break;
                default:
                    info = Synchronously(prober.ProbeFileAsync(path));
                    break;
            }

            _ = info.SeekIndex?.ToArray();
            return (info, null, GC.GetAllocatedBytesForCurrentThread() - before, clock.Elapsed);
        }
        catch (MediaFormatException e)
        {
            return (null, e, GC.GetAllocatedBytesForCurrentThread() - before, clock.Elapsed);
        }
    }

    private static MediaInfo Synchronously(Task<MediaInfo> task)
    {
        // All work on this thread, so GC.GetAllocatedBytesForCurrentThread sees every byte the probe allocated.
        Assert.True(task.IsCompleted, "the probe went asynchronous: its allocations would not be measured");
        return task.GetAwaiter().GetResult();
    }

    private static string Outcome((MediaInfo? Info, MediaFormatException? Error, long, TimeSpan) r) =>
        r.Info is { } i
            ? $"frames={i.FrameCount} encoded={i.EncodedSamples} playable={i.PlayableSamples} index={i.SeekIndex?.Count}"
            : $"refused {r.Error!.ErrorCode}";

    [Theory]
    [MemberData(nameof(Mp4Variants))]
    public void A_hostile_mp4_costs_what_its_bytes_hold_through_every_entry_point(string variant)
    {
        var data = HostileFiles.Mp4(HostileFiles.Mp4Variants[variant]);
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "hostile.m4a");
        File.WriteAllBytes(path, data);
        string? first = null;
        foreach (var entry in Enum.GetValues<EntryPoint>())
        {
            var r = Run(entry, data, path);

            Assert.True(r.Allocated < AllocationBudget, $"{entry} allocated {r.Allocated:N0} bytes for a {data.Length:N0}-byte file ({Outcome(r)})");
            Assert.True(r.Elapsed < TimeSpan.FromSeconds(3), $"{entry} took {r.Elapsed.TotalSeconds:F1} s");
            if (r.Info is { } info)
            {
                // Every sample counted has bytes in the file; an index entry is a sample.
                Assert.InRange(info.FrameCount, 1, data.Length);
                Assert.InRange(info.SeekIndex?.Count ?? 0, 0, info.FrameCount);
            }

            first ??= Outcome(r);
            Assert.Equal(first, Outcome(r));
        }
    }

    [Fact]
    public void The_reviewed_mp4_counts_the_100_samples_it_holds_not_the_31_million_it_claims()
    {
        var info = new MediaProber().Probe(HostileFiles.Mp4(HostileFiles.ReviewedMp4));

        Assert.Equal(100, info.FrameCount);
        Assert.Equal(100.0, info.DurationSeconds, 6); // 100 samples of one second each
        Assert.Equal(100, info.SeekIndex!.Count);
        Assert.Contains(info.Warnings, w => w.Message.Contains("31000000", StringComparison.Ordinal));
    }

    [Fact]
    public void The_plain_twin_of_the_hostile_files_probes_exactly_without_warnings()
    {
        var info = new MediaProber().Probe(HostileFiles.Mp4(HostileFiles.PlainMp4 with { TitleBytes = 10 }));

        Assert.Equal(100, info.FrameCount);
        Assert.Equal(102_400, info.EncodedSamples);
        Assert.Equal("aaaaaaaaaa", info.Tags.Title);
        Assert.Empty(info.Warnings);
    }

    [Fact]
    public void An_mp4_tag_item_larger_than_MaxTagFrameSize_is_skipped_unread()
    {
        // ID3v2 frames and APE items larger than MaxTagFrameSize were skipped; ilst items were read whole (up to 64 MiB).
        var data = HostileFiles.Mp4(HostileFiles.PlainMp4 with { TitleBytes = 2 * 1024 * 1024 });

        long before = GC.GetAllocatedBytesForCurrentThread();
        var info = new MediaProber().Probe(data);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Null(info.Tags.Title);
        Assert.Contains(info.Warnings, w => w.Message.Contains("MaxTagFrameSize", StringComparison.Ordinal));
        Assert.True(allocated < 1024 * 1024, $"allocated {allocated:N0} bytes");
    }

    [Fact]
    public async Task Samples_past_the_end_of_a_truncated_mp4_are_not_counted_as_ffprobe_reads_them()
    {
        // moov first, mdat cut: the tables still list all 109 samples of the whole track. ffprobe reads the ones the
        // file holds, the cut last one included (as it counts a cut last MP3 frame); a cut sample is not counted here.
        const string file = "m4a/truncated-moov-first.m4a";
        var data = Fixtures.Bytes(file);
        var streamed = new MediaProber().Probe(data);
        var ranged = await new MediaProber().ProbeAsync(new MemoryRandomAccessSource(data), TestContext.Current.CancellationToken);

        Assert.Equal(Fixtures.FfprobePackets(file) - 1, streamed.FrameCount);
        Assert.Contains(streamed.Warnings, w => w.Message.Contains("count 109 samples but 98", StringComparison.Ordinal));
        Assert.Equal(streamed.FrameCount, ranged.FrameCount);
        Assert.True(streamed.SeekIndex![streamed.SeekIndex.Count - 1].ByteOffset < data.Length);
    }

    [Fact]
    public void A_fragment_run_that_claims_more_samples_than_bytes_is_refused()
    {
        var data = Fixtures.Bytes("m4a/fragmented.m4a");
        int trun = data.AsSpan().IndexOf("trun"u8);
        data[trun + 5] = 0; // flags: no per-sample fields, so the count alone says how many samples there are
        data[trun + 6] = 0;
        data[trun + 7] = 1; // data offset only (the field that follows stays in place)
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(trun + 8), 40_000_000);

        var e = Assert.Throws<MediaFormatException>(() => new MediaProber().Probe(data));

        Assert.Equal(MediaErrorCode.Corrupt, e.ErrorCode);
        Assert.Contains("samples but the file holds", e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, int, uint> HostileMp3s() => new()
    {
        { "mp3/vbr-xing-lame.mp3", 2500, uint.MaxValue }, // the review's file: 1,298 days by range, 5 frames by stream
        { "mp3/cbr-info-lame.mp3", 2500, uint.MaxValue },
        { "mp3/vbri.mp3", 2500, uint.MaxValue },
        { "mp3/vbr-xing-lame.mp3", 2500, 100_000 },
        { "mp3/vbr-xing-lame.mp3", 40_000, 5 }, // a header that counts fewer frames than the file holds
        { "mp3/vbri.mp3", 40_000, 5 },
    };

    [Theory]
    [MemberData(nameof(HostileMp3s))]
    public async Task An_mp3_header_count_the_bytes_cannot_hold_is_walked_and_every_entry_point_agrees(string fixture, int length, uint frames)
    {
        var full = Fixtures.Bytes(fixture);
        var data = HostileFiles.Mp3WithHeaderFrames(fixture, Math.Min(length, full.Length), frames);
        var ct = TestContext.Current.CancellationToken;
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "hostile.mp3");
        await File.WriteAllBytesAsync(path, data, ct);
        var prober = new MediaProber();

        var streamed = prober.Probe(data);
        var ranged = await prober.ProbeAsync(new MemoryRandomAccessSource(data), ct);
        var file = await prober.ProbeFileAsync(path, ct);

        Assert.Equal(DurationSource.FrameWalk, ranged.DurationSource);
        foreach (var other in new[] { ranged, file })
        {
            Assert.Equal(streamed.FrameCount, other.FrameCount);
            Assert.Equal(streamed.PlayableSamples, other.PlayableSamples);
            Assert.Equal(streamed.Duration, other.Duration);
        }

        Assert.True(streamed.Duration < TimeSpan.FromSeconds(3), $"{streamed.Duration}");
        Assert.Contains(ranged.Warnings, w => w.Message.Contains($"counts {frames} frames", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Fixtures.AcceptedData), MemberType = typeof(Fixtures))]
    public async Task Every_entry_point_agrees_on_the_duration_of_every_fixture(string file)
    {
        var data = Fixtures.Bytes(file);
        var ct = TestContext.Current.CancellationToken;
        var prober = new MediaProber();

        var streamed = prober.Probe(data);
        var results = new[]
        {
            await prober.ProbeStreamAsync(new MemoryStream(data, writable: false), ct),
            await prober.ProbeAsync(new MemoryRandomAccessSource(data), ct),
            await prober.ProbeFileAsync(Fixtures.Path(file), ct),
        };

        foreach (var other in results)
        {
            Assert.Equal(streamed.FrameCount, other.FrameCount);
            Assert.Equal(streamed.EncodedSamples, other.EncodedSamples);
            Assert.Equal(streamed.PlayableSamples, other.PlayableSamples);
        }
    }

    [Fact]
    public async Task Ten_megabytes_of_0xFF_are_named_as_such_not_as_zero_bytes()
    {
        var data = new byte[10 * 1024 * 1024];
        data.AsSpan().Fill(0xFF);

        var byStream = Assert.Throws<MediaFormatException>(() => new MediaProber().Probe(data));
        var byRange = await Assert.ThrowsAsync<MediaFormatException>(() => new MediaProber().ProbeAsync(new MemoryRandomAccessSource(data), TestContext.Current.CancellationToken));

        foreach (var e in new[] { byStream, byRange })
        {
            Assert.Equal(MediaErrorCode.UnsupportedFormat, e.ErrorCode);
            Assert.Contains("0xFF", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("zero", e.Message, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Theory]
    [InlineData(0x00, MediaErrorCode.Empty, "zero bytes")]
    [InlineData(0x55, MediaErrorCode.UnsupportedFormat, "0x55")]
    public void A_file_of_one_repeated_byte_says_which_byte(byte value, MediaErrorCode code, string named)
    {
        var data = new byte[4096];
        data.AsSpan().Fill(value);
        var uniform = Assert.Throws<MediaFormatException>(() => new MediaProber().Probe(data));
        Assert.Equal(code, uniform.ErrorCode);
        Assert.Contains(named, uniform.Message, StringComparison.Ordinal);

        data[1000] = 0xFF; // a lone sync byte among them starts no frame, but it is not a zero byte either
        var mixed = Assert.Throws<MediaFormatException>(() => new MediaProber().Probe(data));
        Assert.Equal(MediaErrorCode.UnsupportedFormat, mixed.ErrorCode);
        Assert.DoesNotContain("zero", mixed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_file_a_folder_and_an_unreadable_file_are_typed_errors_that_name_the_path()
    {
        var ct = TestContext.Current.CancellationToken;
        using var folder = new TempFolder();
        var prober = new MediaProber();

        string missing = Path.Combine(folder.Path, "missing.mp3");
        var notFound = await Assert.ThrowsAsync<MediaFormatException>(() => prober.ProbeFileAsync(missing, ct));
        Assert.Equal(MediaErrorCode.NotFound, notFound.ErrorCode);
        Assert.Contains(missing, notFound.Message, StringComparison.Ordinal);

        string inMissingFolder = Path.Combine(folder.Path, "no-such-folder", "a.mp3");
        Assert.Equal(MediaErrorCode.NotFound, (await Assert.ThrowsAsync<MediaFormatException>(() => prober.ProbeFileAsync(inMissingFolder, ct))).ErrorCode);

        var directory = await Assert.ThrowsAsync<MediaFormatException>(() => prober.ProbeFileAsync(folder.Path, ct));
        Assert.Equal(MediaErrorCode.Unreadable, directory.ErrorCode);
        Assert.Contains(folder.Path, directory.Message, StringComparison.Ordinal);
        Assert.Contains("folder", directory.Message, StringComparison.Ordinal);

        // A name longer than the file system allows (PathTooLongException from the system): unreadable, whoever runs this.
        string tooLong = Path.Combine(folder.Path, new string('n', 300) + ".mp3");
        var nameTooLong = await Assert.ThrowsAsync<MediaFormatException>(() => prober.ProbeFileAsync(tooLong, ct));
        Assert.Equal(MediaErrorCode.Unreadable, nameTooLong.ErrorCode);
        Assert.Contains(tooLong, nameTooLong.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<IOException>(nameTooLong.InnerException);

        string locked = Path.Combine(folder.Path, "locked.mp3");
        await File.WriteAllBytesAsync(locked, Fixtures.Bytes("mp3/vbr-noheader.mp3"), ct);
        bool denied;
        if (OperatingSystem.IsWindows())
        {
            return; // the folder and the missing file are the cases there
        }

        File.SetUnixFileMode(locked, UnixFileMode.None);
        try
        {
            File.ReadAllBytes(locked);
            denied = false; // root reads anything: there is no unreadable file to make here
        }
        catch (UnauthorizedAccessException)
        {
            denied = true;
        }

        if (denied)
        {
            var unreadable = await Assert.ThrowsAsync<MediaFormatException>(() => prober.ProbeFileAsync(locked, ct));
            Assert.Equal(MediaErrorCode.Unreadable, unreadable.ErrorCode);
            Assert.Contains(locked, unreadable.Message, StringComparison.Ordinal);
            Assert.IsType<UnauthorizedAccessException>(unreadable.InnerException);
        }

        File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Fact]
    public async Task Thousands_of_tiny_pictures_are_listed_up_to_a_cap_with_a_warning()
    {
        // ID3v2.3 APIC: encoding, "image/png" NUL, picture type, description NUL, then 8 bytes of "picture".
        byte[] body = [0, .. "image/png"u8, 0, 3, 0, .. "\x89PNG\r\n\x1a\n"u8];
        byte[] frame = [.. "APIC"u8, 0, 0, 0, (byte)body.Length, 0, 0, .. body];
        int frames = 20_000;
        var tagBody = new byte[frame.Length * frames];
        for (int i = 0; i < frames; i++)
        {
            frame.CopyTo(tagBody, i * frame.Length);
        }

        int size = tagBody.Length;
        byte[] header = [.. "ID3"u8, 3, 0, 0, (byte)((size >> 21) & 0x7F), (byte)((size >> 14) & 0x7F), (byte)((size >> 7) & 0x7F), (byte)(size & 0x7F)];
        byte[] file = [.. header, .. tagBody, .. Fixtures.Bytes("mp3/vbr-noheader.mp3")];

        var streamed = new MediaProber().Probe(file);
        var ranged = await new MediaProber().ProbeAsync(new MemoryRandomAccessSource(file), TestContext.Current.CancellationToken);

        foreach (var info in new[] { streamed, ranged })
        {
            Assert.Equal(64, info.Pictures.Count);
            Assert.Contains(info.Warnings, w => w.Message.Contains("more than 64 pictures", StringComparison.Ordinal));
        }
    }
}
