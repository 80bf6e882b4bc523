using System.Buffers.Binary;
using System.Text;
using MusicLocker.Testing;

namespace MusicLocker.Media.Tests;

/// <summary>
/// Issue 15's media gaps, each with a hand-made file and its neighbours: damaged metadata boxes, fragments after sample
/// tables, audio-less MP4, ID3v2 header flags that lie, NUL in ID3v2.3 text, Audible, free-format MP3, video.
/// Every case is probed three ways (in memory, pushed in small chunks, by range reads) and must agree.
/// </summary>
public sealed class MediaGapTests
{
    private static readonly MediaProber Prober = new();

    private static string Regression(string name) => Path.Combine(TestEnvironment.RepositoryRoot, "tests", "MusicLocker.Media.Tests", "Regression", name);

    /// <summary>Probes <paramref name="data"/> in memory, pushed in 7-byte chunks, and by 4 KiB range reads; all three must agree.</summary>
    internal static async Task<MediaInfo> ProbeAllWays(byte[] data)
    {
        var whole = Prober.Probe(data);
        var parser = Prober.CreateStreamParser();
        for (int i = 0; i < data.Length; i += 7)
        {
            parser.Append(data.AsSpan(i, Math.Min(7, data.Length - i)));
        }

        var chunked = parser.Complete();
        var ranged = await new MediaProber(new MediaProbeOptions { RangeReadSize = 4096 }).ProbeAsync(new ByteSource(data), TestContext.Current.CancellationToken);
        Assert.Equal(Fixtures.Describe(whole), Fixtures.Describe(chunked));
        // A range probe of an MP3 with a Xing/VBRI header reads no frames, so builds no seek index (RequireSeekIndex).
        Assert.Equal(WithoutIndex(Fixtures.Describe(whole, includeSource: false)), WithoutIndex(Fixtures.Describe(ranged, includeSource: false)));
        return whole;
    }

    private static string WithoutIndex(string description) =>
        System.Text.RegularExpressions.Regex.Replace(description, "\nindex: [^\n]*", string.Empty);

    internal static async Task<MediaFormatException> RefusedAllWays(byte[] data)
    {
        var whole = Assert.Throws<MediaFormatException>(() => Prober.Probe(data));
        var parser = Prober.CreateStreamParser();
        var chunked = Assert.Throws<MediaFormatException>(() =>
        {
            for (int i = 0; i < data.Length; i += 7)
            {
                parser.Append(data.AsSpan(i, Math.Min(7, data.Length - i)));
            }

            parser.Complete();
        });
        var ranged = await Assert.ThrowsAsync<MediaFormatException>(() => Prober.ProbeAsync(new ByteSource(data), TestContext.Current.CancellationToken));
        Assert.Equal(whole.ErrorCode, chunked.ErrorCode);
        Assert.Equal(whole.ErrorCode, ranged.ErrorCode);
        return whole;
    }

    // ---- damage inside metadata boxes costs the metadata, never the track

    private static readonly Dictionary<string, HostileFiles.Mp4Tables> DamagedMetadata = new()
    {
        // The file: after a free box, bytes that parse as a box header claiming more than meta holds.
        ["meta: free, then a box larger than meta"] = HostileFiles.PlainMp4 with { TitleBytes = 5, MetaExtra = [.. HostileFiles.MakeBox("free", new byte[12]), .. HostileFiles.LyingBox("junk", 100_000)] },
        ["meta: a box smaller than its header"] = HostileFiles.PlainMp4 with { TitleBytes = 5, MetaExtra = HostileFiles.LyingBox("junk", 3) },
        ["udta: a box after meta larger than udta"] = HostileFiles.PlainMp4 with { TitleBytes = 5, UdtaExtra = HostileFiles.LyingBox("©xyz", 1_000_000) },
        ["ilst: an item larger than ilst"] = HostileFiles.PlainMp4 with { TitleBytes = 5, IlstExtra = HostileFiles.LyingBox("©ART", 70_000) },
        ["ilst item: a data box larger than its item"] = HostileFiles.PlainMp4 with { TitleBytes = 5, IlstExtra = HostileFiles.MakeBox("©ART", HostileFiles.LyingBox("data", 5_000, 12)) },
        ["ilst item: a 64-bit size larger than its item"] = HostileFiles.PlainMp4 with { TitleBytes = 5, IlstExtra = HostileFiles.MakeBox("©ART", [0, 0, 0, 1, .. "data"u8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]) },
    };

    public static TheoryData<string> DamagedMetadataNames => new(DamagedMetadata.Keys);

    [Theory]
    [MemberData(nameof(DamagedMetadataNames))]
    public async Task A_metadata_box_that_does_not_fit_its_parent_costs_the_metadata_with_a_warning_not_the_track(string name)
    {
        var info = await ProbeAllWays(HostileFiles.Mp4(DamagedMetadata[name]));

        Assert.Equal(100, info.FrameCount);
        Assert.Equal("aaaaa", info.Tags.Title); // the item before the damage is kept
        Assert.Null(info.Tags.Artist);
        Assert.Contains(info.Warnings, w => w.Message.Contains("does not fit its parent", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_udta_that_runs_past_moov_costs_the_metadata_not_the_track()
    {
        var data = HostileFiles.Mp4(HostileFiles.PlainMp4 with { TitleBytes = 5 });
        int udta = data.AsSpan().IndexOf("udta"u8) - 4;
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(udta), 1_000_000);

        var info = await ProbeAllWays(data);

        Assert.Equal(100, info.FrameCount);
        Assert.Null(info.Tags.Title);
        Assert.Contains(info.Warnings, w => w.Message.Contains("'udta'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_track_box_that_runs_past_its_parent_is_still_refused()
    {
        // Only metadata may be lost: an stbl child that overruns stbl is the track itself.
        var data = HostileFiles.Mp4(HostileFiles.PlainMp4);
        int stts = data.AsSpan().IndexOf("stts"u8) - 4;
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(stts), 1_000_000);

        var e = await RefusedAllWays(data);

        Assert.Equal(MediaErrorCode.Corrupt, e.ErrorCode);
        Assert.Contains("runs past its parent 'stbl'", e.Message, StringComparison.Ordinal);
    }

    // ---- fragments after sample tables

    [Fact]
    public async Task A_fragmented_mp4_counts_the_moov_samples_and_every_fragment_and_gets_a_seek_index()
    {
        // ffmpeg -movflags frag_keyframe -frag_duration 1000000: moov holds the first second's tables, three moofs follow.
        var data = File.ReadAllBytes(Regression("fragmented-moov-samples.m4a"));

        var info = await ProbeAllWays(data);

        // ffprobe -count_packets: 44 (moov) + 44 + 44 + 42 = 174 packets; 4.023 s.
        Assert.Equal(44 + 44 + 44 + 42, info.FrameCount);
        Assert.Equal((173L * 1024) + 272, info.EncodedSamples); // the last run gives its last sample 272 ticks
        Assert.Equal(4.0, info.Duration.TotalSeconds, 0.05);
        Assert.NotNull(info.SeekIndex);
        Assert.InRange(info.SeekIndex!.Count, 4, 6);

        // Every entry lands inside an mdat payload, and every mdat (moov's and each fragment's) has entries.
        var mdats = Mdats(data);
        Assert.Equal(4, mdats.Count);
        var offsets = Entries(info.SeekIndex).Select(e => e.ByteOffset).ToList();
        Assert.All(offsets, o => Assert.Contains(mdats, m => o >= m.Start && o < m.End));
        Assert.All(mdats, m => Assert.Contains(offsets, o => o >= m.Start && o < m.End));

        var at3 = info.SeekIndex.Find(TimeSpan.FromSeconds(3.1));
        Assert.InRange(at3.Time.TotalSeconds, 2.5, 3.1);
        Assert.True(at3.ByteOffset >= mdats[2].Start);
    }

    [Fact]
    public async Task Fragments_without_sample_tables_get_a_seek_index_too()
    {
        var info = await ProbeAllWays(Fixtures.Bytes("m4a/fragmented.m4a"));

        Assert.NotNull(info.SeekIndex);
        Assert.True(info.SeekIndex!.Count >= 2);
        Assert.Equal(info.EncodedSamples, (long)Math.Round((double)info.SeekIndex.TotalDuration / info.SeekIndex.Timescale * info.SampleRate));
    }

    [Fact]
    public async Task A_mehd_that_disagrees_with_the_fragments_is_a_warning()
    {
        var data = File.ReadAllBytes(Regression("fragmented-moov-samples.m4a"));
        int mvex = data.AsSpan().IndexOf("mvex"u8) - 4;
        // Turn mvex's trex into a mehd claiming 60 s (movie timescale 1000) and a padding box: same sizes.
        uint mvhdScale = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(data.AsSpan().IndexOf("mvhd"u8) + 16));
        byte[] mehd = [0, 0, 0, 16, .. "mehd"u8, 0, 0, 0, 0, 0, 0, 0, 0];
        BinaryPrimitives.WriteUInt32BigEndian(mehd.AsSpan(12), 60 * mvhdScale);
        var patched = data.ToArray();
        int trex = mvex + 8;
        mehd.CopyTo(patched, trex);
        byte[] free = [0, 0, 0, 16, .. "free"u8, 0, 0, 0, 0, 0, 0, 0, 0];
        free.CopyTo(patched, trex + 16);

        var info = await ProbeAllWays(patched);

        Assert.Contains(info.Warnings, w => w.Message.Contains("'mehd' box says 60 s", StringComparison.Ordinal));
    }

    // ---- audio-less MP4

    [Fact]
    public async Task An_mp4_with_an_empty_mdat_and_zero_count_tables_is_refused_as_empty()
    {
        // The M4B: an 8-byte mdat, stsz of 0 samples, a header duration of 169,022 s.
        var data = HostileFiles.Mp4(HostileFiles.PlainMp4 with { Stts = [], Stsc = [], StszSizes = [], ChunkOffsets = [], MdatSize = 0, MediaDuration = 2_000_000_000 });

        var e = await RefusedAllWays(data);

        Assert.Equal(MediaErrorCode.Empty, e.ErrorCode);
        Assert.Contains("holds no samples", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_mp4_whose_tables_hold_samples_but_mdat_is_empty_is_refused_as_empty()
    {
        var data = HostileFiles.Mp4(HostileFiles.PlainMp4 with { MdatSize = 0 });

        var e = await RefusedAllWays(data);

        Assert.Equal(MediaErrorCode.Empty, e.ErrorCode);
    }

    // ---- video

    [Fact]
    public async Task An_mp4_with_a_video_track_and_an_aac_track_is_refused_as_a_video()
    {
        // ffmpeg testsrc (mpeg4, 5 frames) + sine (AAC): a music video, not a music file.
        var e = await RefusedAllWays(File.ReadAllBytes(Regression("video-and-aac.mp4")));

        Assert.Equal(MediaErrorCode.UnsupportedFormat, e.ErrorCode);
        Assert.Contains("is a video", e.Message, StringComparison.Ordinal);
        Assert.Contains("-vn", e.Message, StringComparison.Ordinal);
    }

    // ---- Audible

    [Fact]
    public async Task An_audible_aa_file_is_drm_protected()
    {
        // .aa: file size, magic 0x57907536, then a table of contents.
        var data = new byte[4096];
        BinaryPrimitives.WriteUInt32BigEndian(data, (uint)data.Length);
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(4), 0x57907536);
        data[11] = 3;

        var e = await RefusedAllWays(data);

        Assert.Equal(MediaErrorCode.DrmProtected, e.ErrorCode);
        Assert.Contains("Audible", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("aax ", "mp4a")]
    [InlineData("M4B ", "aavd")]
    [InlineData("aax ", "aavd")]
    public async Task An_audible_aax_file_is_drm_protected(string brand, string entry)
    {
        var data = HostileFiles.Mp4(HostileFiles.PlainMp4 with { Brand = brand, SampleEntry = entry });

        var e = await RefusedAllWays(data);

        Assert.Equal(MediaErrorCode.DrmProtected, e.ErrorCode);
        Assert.Contains("Audible", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_aavd_entry_with_a_damaged_size_is_still_drm_protected()
    {
        var data = HostileFiles.Mp4(HostileFiles.PlainMp4 with { SampleEntry = "aavd" });
        int aavd = data.AsSpan().IndexOf("aavd"u8) - 4;
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(aavd), 0xFFFF);

        var e = await RefusedAllWays(data);

        Assert.Equal(MediaErrorCode.DrmProtected, e.ErrorCode);
    }

    // ---- free-format MP3 (read: FreeFormatTests); only a stream whose frame length cannot be measured is refused

    [Fact]
    public async Task Free_format_headers_that_no_chain_of_equal_frames_follows_are_refused_naming_free_format()
    {
        // Six free-format headers (MPEG-1 Layer III, 44.1 kHz, mono) at irregular distances in bytes that are not 0xFF.
        var data = new byte[12_000];
        new Random(7).NextBytes(data);
        for (int i = 0; i < data.Length; i++)
        {
            data[i] &= 0x7F;
        }

        foreach (int at in new[] { 0, 700, 1650, 2900, 4400, 6300 })
        {
            byte[] header = [0xFF, 0xFB, 0x00, 0xC4];
            header.CopyTo(data, at);
        }

        var e = await RefusedAllWays(data);

        Assert.Equal(MediaErrorCode.UnsupportedFormat, e.ErrorCode);
        Assert.Contains("free-format MP3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stray_free_format_header_in_junk_before_the_audio_is_not_a_free_format_file()
    {
        // Two free-format-looking headers in the junk before a real MP3: still the MP3 (a few are not a stream).
        var audio = Audio("mp3/cbr-info-lame.mp3");
        byte[] junk = [0x12, 0xFF, 0xFB, 0x04, 0x00, 0x34, 0xFF, 0xFB, 0x04, 0x00, 0x56];

        var info = await ProbeAllWays([.. junk, .. audio]);

        Assert.Equal(Prober.Probe(audio).FrameCount, info.FrameCount);
    }

    // ---- ID3v2 header flags

    [Theory]
    [InlineData(4, 0x40)] // the file: extended header flag, no extended header ("Punk To Funk")
    [InlineData(3, 0x40)]
    [InlineData(3, 0xC0)] // and unsynchronised as a whole (read whole by Id3v2TagReader)
    [InlineData(4, 0xC0)]
    public async Task An_extended_header_flag_without_an_extended_header_keeps_the_frames_with_a_warning(int version, int flags)
    {
        var data = Id3Tag(version, (byte)flags, [], TextFrame(version, "TIT2", 0, "Punk To Funk"), TextFrame(version, "TPE1", 0, "Someone"));

        var info = await ProbeAllWays([.. data, .. Audio("mp3/cbr-info-lame.mp3")]);

        Assert.Equal("Punk To Funk", info.Tags.Title);
        Assert.Equal("Someone", info.Tags.Artist);
        Assert.Contains(info.Warnings, w => w.Message.Contains("extended header", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(3)]
    public async Task A_real_extended_header_is_still_skipped(int version)
    {
        byte[] ext = version == 4 ? [0, 0, 0, 6, 1, 0] : [0, 0, 0, 6, 0, 0, 0, 0, 0, 0];
        var data = Id3Tag(version, 0x40, ext, TextFrame(version, "TIT2", 0, "Punk To Funk"));

        var info = await ProbeAllWays([.. data, .. Audio("mp3/cbr-info-lame.mp3")]);

        Assert.Equal("Punk To Funk", info.Tags.Title);
        Assert.DoesNotContain(info.Warnings, w => w.Message.Contains("extended header", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_footer_flag_without_a_footer_does_not_eat_the_first_frame()
    {
        var audio = Audio("mp3/vbr-noheader.mp3");
        var tag = Id3Tag(4, 0x10, [], TextFrame(4, "TIT2", 3, "Footless"));

        var info = await ProbeAllWays([.. tag, .. audio]);

        Assert.Equal("Footless", info.Tags.Title);
        Assert.Equal(Prober.Probe(audio).FrameCount, info.FrameCount);
        Assert.Equal(tag.Length, info.AudioOffset);
        Assert.Contains(info.Warnings, w => w.Message.Contains("footer", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Experimental_and_unknown_header_flags_do_not_cost_the_frames()
    {
        var data = Id3Tag(4, 0x2F, [], TextFrame(4, "TIT2", 0, "Flags"));

        var info = await ProbeAllWays([.. data, .. Audio("mp3/cbr-info-lame.mp3")]);

        Assert.Equal("Flags", info.Tags.Title);
    }

    // ---- NUL inside text

    [Theory]
    [InlineData(3, 0)]
    [InlineData(3, 1)]
    [InlineData(3, 2)]
    [InlineData(3, 3)]
    [InlineData(2, 0)]
    [InlineData(2, 1)]
    public async Task Id3v23_and_v22_text_ends_at_the_first_nul_in_every_encoding(int version, byte encoding)
    {
        var data = Id3Tag(version, 0, [], TextFrame(version, version == 2 ? "TT2" : "TIT2", encoding, "T\0T"), TextFrame(version, version == 2 ? "TXX" : "TXXX", encoding, "ALBUM ARTIST\0A\0B"));

        var info = await ProbeAllWays([.. data, .. Audio("mp3/cbr-info-lame.mp3")]);

        Assert.Equal("T", info.Tags.Title);
        Assert.Equal("A", info.Tags.AlbumArtist);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Id3v24_text_keeps_every_nul_separated_value(byte encoding)
    {
        var data = Id3Tag(4, 0, [], TextFrame(4, "TIT2", encoding, "T\0T"));

        var info = await ProbeAllWays([.. data, .. Audio("mp3/cbr-info-lame.mp3")]);

        Assert.Equal("T; T", info.Tags.Title);
    }

    // ---- helpers

    /// <summary>The audio frames of a fixture, without its tags.</summary>
    internal static byte[] Audio(string fixture)
    {
        var bytes = Fixtures.Bytes(fixture);
        var info = Prober.Probe(bytes);
        return bytes.AsSpan((int)info.AudioOffset, (int)info.AudioLength).ToArray();
    }

    internal static byte[] Id3Tag(int version, byte flags, byte[] extendedHeader, params byte[][] frames)
    {
        var body = new List<byte>(extendedHeader);
        foreach (var f in frames)
        {
            body.AddRange(f);
        }

        body.AddRange(new byte[16]); // padding
        int size = body.Count;
        byte[] header = [.. "ID3"u8, (byte)version, 0, flags, (byte)((size >> 21) & 0x7F), (byte)((size >> 14) & 0x7F), (byte)((size >> 7) & 0x7F), (byte)(size & 0x7F)];
        return [.. header, .. body];
    }

    internal static byte[] TextFrame(int version, string id, byte encoding, string text)
    {
        byte[] value = encoding switch
        {
            0 => Encoding.Latin1.GetBytes(text),
            1 => [0xFF, 0xFE, .. Encoding.Unicode.GetBytes(text.Replace("\0", "\0\uFEFF", StringComparison.Ordinal))], // a BOM per value
            2 => Encoding.BigEndianUnicode.GetBytes(text),
            _ => Encoding.UTF8.GetBytes(text),
        };
        byte[] body = [encoding, .. value];
        if (version == 2)
        {
            return [.. Encoding.ASCII.GetBytes(id), (byte)(body.Length >> 16), (byte)(body.Length >> 8), (byte)body.Length, .. body];
        }

        int n = body.Length;
        byte[] size = version == 4
            ? [(byte)((n >> 21) & 0x7F), (byte)((n >> 14) & 0x7F), (byte)((n >> 7) & 0x7F), (byte)(n & 0x7F)]
            : [(byte)(n >> 24), (byte)(n >> 16), (byte)(n >> 8), (byte)n];
        return [.. Encoding.ASCII.GetBytes(id), .. size, 0, 0, .. body];
    }

    private static IEnumerable<SeekPoint> Entries(SeekIndex index)
    {
        for (int i = 0; i < index.Count; i++)
        {
            yield return index[i];
        }
    }

    /// <summary>The payload ranges of the top-level mdat boxes.</summary>
    private static List<(long Start, long End)> Mdats(byte[] data)
    {
        var mdats = new List<(long, long)>();
        long pos = 0;
        while (pos + 8 <= data.Length)
        {
            long size = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan((int)pos));
            if (data.AsSpan((int)pos + 4, 4).SequenceEqual("mdat"u8))
            {
                mdats.Add((pos + 8, pos + size));
            }

            pos += size;
        }

        return mdats;
    }

    private sealed class ByteSource(byte[] data) : IRandomAccessSource
    {
        public long Length => data.Length;

        public ValueTask<int> ReadAtAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            int n = (int)Math.Clamp(data.Length - offset, 0, buffer.Length);
            data.AsMemory((int)offset, n).CopyTo(buffer);
            return ValueTask.FromResult(n);
        }
    }
}
