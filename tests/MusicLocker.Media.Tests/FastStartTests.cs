using System.Buffers.Binary;
using System.Security.Cryptography;
using MusicLocker.Testing;

namespace MusicLocker.Media.Tests;

/// <summary>
/// <see cref="Mp4FastStart"/>: ffmpeg-made files with moov at the end come out moov-first, valid to ffprobe, with the same
/// packets, decoded audio, audio payload and prober results; files it does not apply to are left alone with a reason;
/// damaged files are <see cref="MediaFormatException"/>s.
/// </summary>
public sealed class FastStartTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(1, 3.0)]
    [InlineData(1, 40.0)]
    [InlineData(2, 5.0)]
    public async Task An_ffmpeg_file_with_moov_at_the_end_comes_out_moov_first_with_the_same_audio(int tracks, double seconds)
    {
        Mp4Tools.RequireFfmpeg();
        using var temp = new TempFolder();
        string input = Path.Combine(temp.Path, "in.m4a");
        string output = Path.Combine(temp.Path, "out.m4a");
        await Mp4Tools.MakeM4aAsync(input, fastStart: false, seconds, tracks);
        byte[] original = await File.ReadAllBytesAsync(input, Ct);
        Assert.Equal("ftyp free mdat moov", Mp4Tools.Layout(original));

        var plan = await RewriteFileAsync(input, output);

        byte[] rewritten = await File.ReadAllBytesAsync(output, Ct);
        Assert.Equal(FastStartDecision.Rewrite, plan.Decision);
        Assert.Equal("ftyp free moov mdat", Mp4Tools.Layout(rewritten));
        Assert.Equal(plan.OutputLength, rewritten.Length);
        Assert.Equal(original.Length, rewritten.Length); // no table had to widen
        Assert.Equal(tracks, plan.ChunkOffsetTables);
        Assert.Equal(0, plan.UpgradedTables);
        Assert.Equal(string.Empty, await Mp4Tools.FfprobeErrorsAsync(output));
        Assert.Equal(await Mp4Tools.PacketsAsync(input), await Mp4Tools.PacketsAsync(output));
        Assert.Equal(await Mp4Tools.DecodedMd5Async(input), await Mp4Tools.DecodedMd5Async(output));

        var prober = new MediaProber();
        var before = prober.Probe(original);
        var after = prober.Probe(rewritten);
        Assert.False(before.FastStart);
        Assert.True(after.FastStart);
        Assert.Equal(before.PlayableSamples, after.PlayableSamples);
        Assert.Equal(before.FrameCount, after.FrameCount);
        Assert.Equal(before.AudioLength, after.AudioLength);
        Assert.Equal(AudioHash(original, before), AudioHash(rewritten, after));
        Assert.Equal(before.Tags.Title, after.Tags.Title);
        Assert.Equal(before.SeekIndex!.Count, after.SeekIndex!.Count);

        // The range probe of the rewritten file sees the same thing as the stream probe.
        var ranged = await prober.ProbeAsync(new MemoryRandomAccessSource(rewritten), Ct);
        Assert.Equal(after.PlayableSamples, ranged.PlayableSamples);
        Assert.Equal(after.AudioOffset, ranged.AudioOffset);
    }

    [Fact]
    public async Task The_new_moov_is_the_one_ffmpeg_writes_with_faststart()
    {
        Mp4Tools.RequireFfmpeg();
        using var temp = new TempFolder();
        string atEnd = Path.Combine(temp.Path, "end.m4a");
        string ffmpegFirst = Path.Combine(temp.Path, "ffmpeg-first.m4a");
        await Mp4Tools.MakeM4aAsync(atEnd, fastStart: false, 10);
        await Mp4Tools.MakeM4aAsync(ffmpegFirst, fastStart: true, 10);
        var ours = new MemoryStream();
        using (var source = new FileRandomAccessSource(atEnd))
        {
            await new Mp4FastStart().RewriteAsync(source, ours, Ct);
        }

        // ffmpeg writes ftyp moov free mdat, we keep free where it was (before mdat): the mdat lands at the same offset,
        // so the shifted moov must be byte for byte ffmpeg's.
        byte[] theirs = await File.ReadAllBytesAsync(ffmpegFirst, Ct);
        Assert.Equal("ftyp moov free mdat", Mp4Tools.Layout(theirs));
        Assert.Equal(Mp4Surgery.Box(theirs, "moov"), Mp4Surgery.Box(ours.ToArray(), "moov"));
        Assert.Equal(Mp4Surgery.Box(theirs, "mdat"), Mp4Surgery.Box(ours.ToArray(), "mdat"));
    }

    [Theory]
    [InlineData("m4a/faststart-tagged.m4a")]
    [InlineData("m4a/co64-largesize.m4a")]
    [InlineData("m4a/audiobook.m4b")]
    public async Task A_committed_moov_first_file_moved_to_the_end_and_back_has_its_original_moov(string fixture)
    {
        byte[] original = Fixtures.Bytes(fixture);
        byte[] atEnd = Mp4Surgery.MoveMoovToEnd(original);
        Assert.EndsWith("moov", Mp4Tools.Layout(atEnd), StringComparison.Ordinal);

        var plan = await new Mp4FastStart().PlanAsync(new MemoryRandomAccessSource(atEnd), Ct);
        var output = new MemoryStream();
        await plan.WriteToAsync(output, Ct);

        byte[] rewritten = output.ToArray();
        Assert.Equal(FastStartDecision.Rewrite, plan.Decision);
        Assert.Equal(Mp4Surgery.Box(original, "moov"), Mp4Surgery.Box(rewritten, "moov")); // co64 entries shifted as co64
        Assert.Equal(Mp4Tools.TopLevelBoxes(original).Single(b => b.Type == "mdat").Offset, Mp4Tools.TopLevelBoxes(rewritten).Single(b => b.Type == "mdat").Offset);
        var prober = new MediaProber();
        Assert.Equal(AudioHash(original, prober.Probe(original)), AudioHash(rewritten, prober.Probe(rewritten)));
    }

    [Fact]
    public async Task A_co64_file_rewritten_is_valid_to_ffprobe_with_the_same_packets()
    {
        Mp4Tools.RequireFfmpeg();
        using var temp = new TempFolder();
        string input = Path.Combine(temp.Path, "co64-at-end.m4a");
        string output = Path.Combine(temp.Path, "out.m4a");
        await File.WriteAllBytesAsync(input, Mp4Surgery.MoveMoovToEnd(Fixtures.Bytes("m4a/co64-largesize.m4a")), Ct);

        await RewriteFileAsync(input, output);

        byte[] rewritten = await File.ReadAllBytesAsync(output, Ct);
        Assert.Equal("ftyp free moov mdat", Mp4Tools.Layout(rewritten));
        Assert.Single(Mp4Surgery.ChunkOffsetTables(Mp4Surgery.Box(rewritten, "moov")), t => t.Wide);
        Assert.Equal(string.Empty, await Mp4Tools.FfprobeErrorsAsync(output));
        Assert.Equal(await Mp4Tools.PacketsAsync(input), await Mp4Tools.PacketsAsync(output));
        Assert.Equal(await Mp4Tools.DecodedMd5Async(input), await Mp4Tools.DecodedMd5Async(output));
    }

    [Fact]
    public async Task The_view_reads_the_same_bytes_as_the_writer_in_any_read_sizes_and_seeks()
    {
        byte[] atEnd = Fixtures.Bytes("m4a/big-cover-moov-at-end.m4a");
        var plan = await new Mp4FastStart().PlanAsync(new MemoryRandomAccessSource(atEnd), Ct);
        var written = new MemoryStream();
        await plan.WriteToAsync(written, Ct);
        byte[] expected = written.ToArray();

        using var view = plan.OpenRead();
        Assert.Equal(expected.Length, view.Length);
        var random = new Random(11);
        var sequential = new MemoryStream();
        byte[] buffer = new byte[5000];
        int n;
        while ((n = view.Read(buffer, 0, random.Next(1, buffer.Length))) > 0)
        {
            sequential.Write(buffer, 0, n);
        }

        Assert.Equal(expected, sequential.ToArray());
        for (int i = 0; i < 200; i++)
        {
            long at = random.NextInt64(expected.Length);
            view.Position = at;
            int want = random.Next(1, 3000);
            int got = await view.ReadAtLeastAsync(buffer.AsMemory(0, want), want, throwOnEndOfStream: false, Ct);
            Assert.Equal(expected.AsSpan((int)at, got).ToArray(), buffer.AsSpan(0, got).ToArray());
        }
    }

    [Theory]
    [InlineData("m4a/faststart-tagged.m4a", FastStartDecision.AlreadyFastStart)]
    [InlineData("m4a/co64-largesize.m4a", FastStartDecision.AlreadyFastStart)]
    [InlineData("m4a/fragmented.m4a", FastStartDecision.Fragmented)]
    [InlineData("mp3/vbr-xing-lame.mp3", FastStartDecision.NotMp4)]
    [InlineData("mp3/id3v23-full.mp3", FastStartDecision.NotMp4)]
    [InlineData("aac/lc-44k-stereo.aac", FastStartDecision.NotMp4)]
    public async Task A_file_fast_start_does_not_apply_to_is_left_alone_with_a_reason(string fixture, FastStartDecision decision)
    {
        byte[] file = Fixtures.Bytes(fixture);
        var output = new MemoryStream();

        var plan = await new Mp4FastStart().RewriteAsync(new MemoryRandomAccessSource(file), output, Ct);

        Assert.Equal(decision, plan.Decision);
        Assert.False(plan.IsApplicable);
        Assert.False(string.IsNullOrWhiteSpace(plan.Reason));
        Assert.Equal(0, output.Length);
        Assert.Equal(file.Length, plan.OutputLength);
        Assert.Throws<InvalidOperationException>(() => plan.OpenRead());
    }

    [Fact]
    public async Task A_stco_that_would_pass_4_GiB_becomes_co64_and_the_growth_is_shifted_in_until_nothing_changes()
    {
        // A 4 GiB mdat (sparse: zeros nobody stores) then a moov of three tracks: A's last chunk overflows 32 bits as soon
        // as moov moves; B's overflows only once A has widened (400 more bytes of moov); C is a co64 already.
        const int countA = 100;
        var synthetic = SyntheticMovie.Build(mdatPayload: (1L << 32) + 4096, countA, bOffsetBelowLimitBy: 10);

        var plan = await new Mp4FastStart().PlanAsync(synthetic.Source, Ct);

        Assert.Equal(FastStartDecision.Rewrite, plan.Decision);
        Assert.Equal(3, plan.ChunkOffsetTables);
        Assert.Equal(2, plan.UpgradedTables);
        long grown = synthetic.MoovLength + (4L * (countA + 1));
        Assert.Equal(grown, plan.NewMoovLength);
        Assert.Equal(synthetic.Source.Length + (4L * (countA + 1)), plan.OutputLength);

        using var view = plan.OpenRead();
        byte[] head = new byte[synthetic.MediaDataOffset + grown];
        await view.ReadExactlyAsync(head, Ct);
        byte[] moov = head.AsSpan((int)synthetic.MediaDataOffset).ToArray();
        Assert.All(Mp4Surgery.ChunkOffsetTables(moov), t => Assert.True(t.Wide));
        Assert.Equal(synthetic.ChunkOffsets.Select(o => o + (ulong)grown), Mp4Surgery.ChunkOffsets(moov));
        Assert.Equal("mdat", System.Text.Encoding.ASCII.GetString(await ReadAtAsync(view, synthetic.MediaDataOffset + grown + 4, 4)));
        Assert.Equal(synthetic.Tail, await ReadAtAsync(view, plan.OutputLength - synthetic.Tail.Length, synthetic.Tail.Length));
    }

    // ---- damaged and hostile input ----

    [Fact]
    public async Task A_chunk_offset_past_the_end_of_the_file_is_corrupt_and_names_where()
    {
        byte[] file = Fixtures.Bytes("m4a/moov-at-end.m4a");
        var (table, _) = TableOf(file);
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(table + 16), (uint)file.Length + 1);

        var e = await PlanFailsAsync(file, MediaErrorCode.Corrupt);
        Assert.Contains("past the end of the file", e.Message, StringComparison.Ordinal);
        Assert.Equal(table + 16, e.Offset);
    }

    [Fact]
    public async Task A_chunk_offset_inside_moov_is_corrupt()
    {
        byte[] file = Fixtures.Bytes("m4a/moov-at-end.m4a");
        var (table, _) = TableOf(file);
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(table + 16), (uint)table);

        var e = await PlanFailsAsync(file, MediaErrorCode.Corrupt);
        Assert.Contains("inside the moov", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0xFFFF_FFF0u)]
    [InlineData(9u)] // smaller than what it holds
    public async Task A_moov_claiming_a_size_past_the_file_or_below_its_content_is_corrupt(uint size)
    {
        byte[] file = Fixtures.Bytes("m4a/moov-at-end.m4a");
        var moov = Mp4Tools.TopLevelBoxes(file).Single(b => b.Type == "moov");
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan((int)moov.Offset), size);

        await PlanFailsAsync(file, MediaErrorCode.Corrupt);
    }

    [Fact]
    public async Task A_moov_with_a_64_bit_size_of_exabytes_is_corrupt_without_allocating_it()
    {
        byte[] file = Fixtures.Bytes("m4a/moov-at-end.m4a");
        var moov = Mp4Tools.TopLevelBoxes(file).Single(b => b.Type == "moov");
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan((int)moov.Offset), 1);
        BinaryPrimitives.WriteUInt64BigEndian(file.AsSpan((int)moov.Offset + 8), 1UL << 62);

        long before = GC.GetAllocatedBytesForCurrentThread();
        await PlanFailsAsync(file, MediaErrorCode.Corrupt);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1024 * 1024);
    }

    [Fact]
    public async Task A_moov_over_the_payload_limit_is_refused_before_it_is_read()
    {
        byte[] file = Fixtures.Bytes("m4a/big-cover-moov-at-end.m4a"); // a 92 KB moov (the cover)
        var options = new MediaProbeOptions { MaxBoxPayloadSize = 64 * 1024 };

        var e = await Assert.ThrowsAsync<MediaFormatException>(() => new Mp4FastStart(options).PlanAsync(new MemoryRandomAccessSource(file), Ct));

        Assert.Equal(MediaErrorCode.LimitExceeded, e.ErrorCode);
        Assert.Contains("MaxBoxPayloadSize", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_truncated_co64_is_corrupt()
    {
        byte[] file = Mp4Surgery.MoveMoovToEnd(Fixtures.Bytes("m4a/co64-largesize.m4a"));
        var (table, wide) = TableOf(file);
        Assert.True(wide);
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(table + 12), 0x1000_0000);

        var e = await PlanFailsAsync(file, MediaErrorCode.Corrupt);
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_moov_is_corrupt()
    {
        byte[] file = Fixtures.Bytes("m4a/moov-at-end.m4a");
        byte[] twice = [.. file, .. Mp4Surgery.Box(file, "moov")];

        var e = await PlanFailsAsync(twice, MediaErrorCode.Corrupt);
        Assert.Contains("two moov", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_moov_of_size_0_as_the_last_box_is_moved_with_its_real_size()
    {
        byte[] file = Fixtures.Bytes("m4a/moov-at-end.m4a");
        var moov = Mp4Tools.TopLevelBoxes(file).Single(b => b.Type == "moov");
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan((int)moov.Offset), 0);

        var plan = await new Mp4FastStart().PlanAsync(new MemoryRandomAccessSource(file), Ct);
        var output = new MemoryStream();
        await plan.WriteToAsync(output, Ct);

        Assert.Equal("ftyp free moov mdat", Mp4Tools.Layout(output.ToArray()));
        Assert.Equal(moov.Size, BinaryPrimitives.ReadUInt32BigEndian(Mp4Surgery.Box(output.ToArray(), "moov")));
        Assert.Equal(new MediaProber().Probe(Fixtures.Bytes("m4a/moov-at-end.m4a")).PlayableSamples, new MediaProber().Probe(output.ToArray()).PlayableSamples);
    }

    [Theory]
    [InlineData("mdat")]
    [InlineData("free")]
    public async Task A_size_0_box_before_the_moov_swallows_it_and_is_corrupt(string type)
    {
        byte[] file = Fixtures.Bytes("m4a/moov-at-end.m4a");
        var box = Mp4Tools.TopLevelBoxes(file).First(b => b.Type == type);
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan((int)box.Offset), 0);

        var e = await PlanFailsAsync(file, MediaErrorCode.Corrupt);
        Assert.Contains("no moov", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stco_running_past_its_parent_is_corrupt()
    {
        byte[] file = Fixtures.Bytes("m4a/moov-at-end.m4a");
        var (table, _) = TableOf(file);
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(table), 100_000);

        await PlanFailsAsync(file, MediaErrorCode.Corrupt);
    }

    [Fact]
    public async Task Too_many_top_level_boxes_is_a_limit()
    {
        byte[] file = Fixtures.Bytes("m4a/moov-at-end.m4a");
        var ftyp = Mp4Tools.TopLevelBoxes(file)[0];
        var free = new byte[8 * 5000];
        for (int i = 0; i < 5000; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(free.AsSpan(i * 8), 8);
            "free"u8.CopyTo(free.AsSpan((i * 8) + 4));
        }

        byte[] many = [.. file.AsSpan(0, (int)ftyp.Size), .. free, .. file.AsSpan((int)ftyp.Size)];
        var e = await Assert.ThrowsAsync<MediaFormatException>(() => new Mp4FastStart(new MediaProbeOptions { MaxBoxCount = 1000 }).PlanAsync(new MemoryRandomAccessSource(many), Ct));
        Assert.Equal(MediaErrorCode.LimitExceeded, e.ErrorCode);
    }

    [Fact]
    public async Task A_moov_between_two_mdat_boxes_is_not_moved()
    {
        byte[] file = Fixtures.Bytes("m4a/moov-at-end.m4a");
        byte[] extra = new byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(extra, 16);
        "mdat"u8.CopyTo(extra.AsSpan(4));

        var plan = await new Mp4FastStart().PlanAsync(new MemoryRandomAccessSource((byte[])[.. file, .. extra]), Ct);

        Assert.Equal(FastStartDecision.Unsupported, plan.Decision);
        Assert.Contains("between mdat boxes", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_source_that_shrinks_after_the_plan_fails_the_write_as_unreadable()
    {
        byte[] file = Fixtures.Bytes("m4a/moov-at-end.m4a");
        var source = new ShrinkingSource(file);
        var plan = await new Mp4FastStart().PlanAsync(source, Ct);
        source.Cut = file.Length / 2;

        var e = await Assert.ThrowsAsync<MediaFormatException>(() => plan.WriteToAsync(Stream.Null, Ct));

        Assert.Equal(MediaErrorCode.Unreadable, e.ErrorCode);
    }

    [Fact]
    public async Task Mutated_files_give_a_plan_or_a_media_error_and_bounded_memory()
    {
        // Fixed seed: flip bytes in the box headers and tables, cut the file, write sizes of 0, 1 and huge.
        byte[][] seeds = [Fixtures.Bytes("m4a/moov-at-end.m4a"), Mp4Surgery.MoveMoovToEnd(Fixtures.Bytes("m4a/co64-largesize.m4a")), Fixtures.Bytes("m4a/faststart-tagged.m4a")];
        var random = new Random(20261202);
        var rewriter = new Mp4FastStart();
        for (int i = 0; i < 3000; i++)
        {
            byte[] file = (byte[])seeds[i % seeds.Length].Clone();
            int moov = (int)Mp4Tools.TopLevelBoxes(file).First(b => b.Type == "moov").Offset;
            for (int m = random.Next(1, 4); m > 0; m--)
            {
                int at = random.Next(2) == 0 && moov < file.Length ? moov + random.Next(Math.Min(1200, file.Length - moov)) : random.Next(file.Length);
                switch (file.Length < 8 ? 0 : random.Next(4))
                {
                    case 0: file[at] = (byte)random.Next(256); break;
                    case 1: BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(Math.Min(at, file.Length - 4)), (uint)random.Next(3)); break;
                    case 2: BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(Math.Min(at, file.Length - 4)), uint.MaxValue - (uint)random.Next(64)); break;
                    default: file = file.AsSpan(0, Math.Max(1, at)).ToArray(); break;
                }
            }

            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                var plan = await rewriter.PlanAsync(new MemoryRandomAccessSource(file), Ct);
                if (plan.IsApplicable)
                {
                    var output = new MemoryStream();
                    await plan.WriteToAsync(output, Ct);
                    Assert.Equal(plan.OutputLength, output.Length);
                }
            }
            catch (MediaFormatException)
            {
            }

            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < (4L * file.Length) + (2 * 1024 * 1024), $"case {i} allocated too much");
        }
    }

    private static async Task<FastStartPlan> RewriteFileAsync(string input, string output)
    {
        using var source = new FileRandomAccessSource(input);
        await using var destination = File.Create(output);
        return await new Mp4FastStart().RewriteAsync(source, destination, Ct);
    }

    private static async Task<MediaFormatException> PlanFailsAsync(byte[] file, MediaErrorCode code)
    {
        var e = await Assert.ThrowsAsync<MediaFormatException>(() => new Mp4FastStart().PlanAsync(new MemoryRandomAccessSource(file), Ct));
        Assert.Equal(code, e.ErrorCode);
        return e;
    }

    /// <summary>The first chunk offset table of the file's moov: its absolute offset, and whether it is co64.</summary>
    private static (int Offset, bool Wide) TableOf(byte[] file)
    {
        var moov = Mp4Tools.TopLevelBoxes(file).Single(b => b.Type == "moov");
        var (offset, wide) = Mp4Surgery.ChunkOffsetTables(Mp4Surgery.Box(file, "moov"))[0];
        return ((int)moov.Offset + offset, wide);
    }

    private static string AudioHash(byte[] file, MediaInfo info) =>
        Convert.ToHexStringLower(SHA256.HashData(file.AsSpan((int)info.AudioOffset, (int)info.AudioLength)));

    private static async Task<byte[]> ReadAtAsync(Stream stream, long offset, int count)
    {
        stream.Position = offset;
        byte[] buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer, Ct);
        return buffer;
    }

    private sealed class ShrinkingSource(byte[] data) : IRandomAccessSource
    {
        public int Cut { get; set; } = int.MaxValue;

        public long Length => data.Length;

        public ValueTask<int> ReadAtAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            long end = Math.Min(data.Length, Cut);
            int n = offset >= end ? 0 : (int)Math.Min(buffer.Length, end - offset);
            data.AsSpan((int)Math.Min(offset, data.Length), n).CopyTo(buffer.Span);
            return ValueTask.FromResult(n);
        }
    }
}
