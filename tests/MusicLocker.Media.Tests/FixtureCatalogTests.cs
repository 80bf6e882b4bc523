namespace MusicLocker.Media.Tests;

/// <summary>
/// Every fixture against what it really is. Frame counts are checked against ffprobe -count_packets; durations against
/// mutagen where mutagen is exact (files with a Xing/Info/VBRI header), and against the exact frame count where mutagen
/// estimates (VBR without a header, ADTS), with the reason.
/// </summary>
public sealed class FixtureCatalogTests
{
    private static readonly MediaProber Prober = new();

    public static TheoryData<string, MediaContainer, AudioCodec, int, int, int, DurationSource> Catalog => new()
    {
        // file, container, codec, sample rate, channels, samples per frame, where the count comes from (stream probe)
        { "mp3/cbr-info-lame.mp3", MediaContainer.Mp3, AudioCodec.Mp3, 24000, 2, 576, DurationSource.FrameWalk },
        { "mp3/vbr-xing-lame.mp3", MediaContainer.Mp3, AudioCodec.Mp3, 44100, 2, 1152, DurationSource.FrameWalk },
        { "mp3/vbr-noheader.mp3", MediaContainer.Mp3, AudioCodec.Mp3, 44100, 2, 1152, DurationSource.FrameWalk },
        { "mp3/mpeg2-mono-22k-noheader.mp3", MediaContainer.Mp3, AudioCodec.Mp3, 22050, 1, 576, DurationSource.FrameWalk },
        { "mp3/mpeg25-mono-8k.mp3", MediaContainer.Mp3, AudioCodec.Mp3, 8000, 1, 576, DurationSource.FrameWalk },
        { "mp3/vbri.mp3", MediaContainer.Mp3, AudioCodec.Mp3, 44100, 2, 1152, DurationSource.FrameWalk },
        { "mp3/stacked-id3-junk.mp3", MediaContainer.Mp3, AudioCodec.Mp3, 44100, 2, 1152, DurationSource.FrameWalk },
        { "mp3/ape-lyrics-id3v1.mp3", MediaContainer.Mp3, AudioCodec.Mp3, 44100, 2, 1152, DurationSource.FrameWalk },
        { "mp3/appended-id3v24.mp3", MediaContainer.Mp3, AudioCodec.Mp3, 22050, 1, 576, DurationSource.FrameWalk },
        { "aac/lc-44k-stereo.aac", MediaContainer.Adts, AudioCodec.Aac, 44100, 2, 1024, DurationSource.FrameWalk },
        { "aac/lc-22k-mono.aac", MediaContainer.Adts, AudioCodec.Aac, 22050, 1, 1024, DurationSource.FrameWalk },
        { "m4a/moov-at-end.m4a", MediaContainer.Mp4, AudioCodec.Aac, 44100, 2, 1024, DurationSource.SampleTable },
        { "m4a/faststart-tagged.m4a", MediaContainer.Mp4, AudioCodec.Aac, 44100, 2, 1024, DurationSource.SampleTable },
        { "m4a/co64-largesize.m4a", MediaContainer.Mp4, AudioCodec.Aac, 44100, 2, 1024, DurationSource.SampleTable },
        { "m4a/audiobook.m4b", MediaContainer.Mp4, AudioCodec.Aac, 22050, 1, 1024, DurationSource.SampleTable },
    };

    [Theory]
    [MemberData(nameof(Catalog))]
    public void Stream_probe_matches_the_format_and_ffprobe_frame_count(string file, MediaContainer container, AudioCodec codec, int rate, int channels, int samplesPerFrame, DurationSource source)
    {
        var info = Prober.Probe(Fixtures.Bytes(file));

        Assert.Equal(container, info.Container);
        Assert.Equal(codec, info.Codec);
        Assert.Equal(rate, info.SampleRate);
        Assert.Equal(channels, info.Channels);
        Assert.Equal(source, info.DurationSource);
        // ffmpeg does not know appended ID3v2 tags and reads one more "packet" from the tag: its clean twin is the oracle.
        string oracle = file == "mp3/appended-id3v24.mp3" ? "mp3/mpeg2-mono-22k-noheader.mp3" : file;
        Assert.Equal(Fixtures.FfprobePackets(oracle), info.FrameCount);
        if (container == MediaContainer.Mp4)
        {
            // stts may shorten the last sample to the real end of the audio (ffmpeg does).
            Assert.InRange(info.EncodedSamples, (info.FrameCount - 1) * samplesPerFrame + 1, info.FrameCount * samplesPerFrame);
        }
        else
        {
            Assert.Equal(info.FrameCount * samplesPerFrame, info.EncodedSamples);
        }

        Assert.Equal(info.EncodedSamples - info.EncoderDelay - info.EncoderPadding, info.PlayableSamples);
        Assert.NotNull(info.SeekIndex);
    }

    [Theory]
    [InlineData("mp3/vbr-xing-lame.mp3")]
    [InlineData("mp3/cbr-info-lame.mp3")]
    [InlineData("mp3/id3v24-multi.mp3")]
    [InlineData("mp3/big-cover.mp3")]
    public void Lame_gapless_duration_matches_mutagen_which_is_exact_with_a_lame_tag(string file)
    {
        var info = Prober.Probe(Fixtures.Bytes(file));

        Assert.Equal(576, info.EncoderDelay);
        Assert.True(info.EncoderPadding > 0);
        Assert.StartsWith("LAME", info.Encoder, StringComparison.Ordinal);
        Assert.Equal(Fixtures.MutagenLength(file), info.DurationSeconds, 5);
        Assert.Equal(2.5, info.DurationSeconds, 5); // the source is 2.5 s exactly
    }

    [Theory]
    [InlineData("mp3/vbr-noheader.mp3", 97, 1152, 44100)]
    [InlineData("mp3/stacked-id3-junk.mp3", 97, 1152, 44100)]
    [InlineData("aac/lc-44k-stereo.aac", 109, 1024, 44100)]
    public void Exact_duration_where_mutagen_estimates(string file, int frames, int samplesPerFrame, int rate)
    {
        // mutagen estimates a VBR MP3 without Xing from the first frame's bitrate, and ADTS from the average frame size;
        // the exact value is the frame count (ffprobe's packet count) times the samples per frame.
        var info = Prober.Probe(Fixtures.Bytes(file));

        Assert.Equal(frames, Fixtures.FfprobePackets(file));
        Assert.Equal((double)frames * samplesPerFrame / rate, info.DurationSeconds, 9);
        Assert.NotEqual(Math.Round(info.DurationSeconds, 2), Math.Round(Fixtures.MutagenLength(file), 2));
    }

    [Fact]
    public void Vbr_without_a_header_is_vbr_and_cbr_with_info_is_not()
    {
        Assert.True(Prober.Probe(Fixtures.Bytes("mp3/vbr-noheader.mp3")).IsVbr);
        Assert.True(Prober.Probe(Fixtures.Bytes("mp3/vbr-xing-lame.mp3")).IsVbr);
        var cbr = Prober.Probe(Fixtures.Bytes("mp3/cbr-info-lame.mp3"));
        Assert.False(cbr.IsVbr);
        Assert.Equal(64, cbr.BitrateKbps);
    }

    [Fact]
    public void Mp4_gapless_from_the_edit_list_and_faststart()
    {
        var end = Prober.Probe(Fixtures.Bytes("m4a/moov-at-end.m4a"));
        var fast = Prober.Probe(Fixtures.Bytes("m4a/faststart-tagged.m4a"));

        // ffmpeg writes an edit list that skips its 1024-sample priming and ends at the source's 2.5 s.
        Assert.Equal(1024, end.EncoderDelay);
        Assert.Equal(110250, end.PlayableSamples);
        Assert.False(end.FastStart);
        Assert.True(fast.FastStart);
        Assert.Equal("AAC LC", fast.CodecProfile);
        Assert.Equal(2, fast.AacObjectType);
    }

    [Fact]
    public void Mp4_gapless_from_iTunSMPB_wins_over_the_edit_list()
    {
        var info = Prober.Probe(Fixtures.Bytes("m4a/itunsmpb-gnre.m4a"));

        Assert.Equal(0x840, info.EncoderDelay);
        Assert.Equal(0x1CA, info.EncoderPadding);
        Assert.Equal(0x1AE8C, info.PlayableSamples);
        Assert.Equal("Rock", info.Tags.Genre); // gnre 18 = ID3 genre 17
    }

    [Fact]
    public void Channels_come_from_the_AudioSpecificConfig_not_the_sample_entry()
    {
        // The stsd entry was patched to say 6 channels; the decoder plays the ASC's 2 (as ffprobe reports).
        var info = Prober.Probe(Fixtures.Bytes("m4a/stsd-channels-mismatch.m4a"));

        Assert.Equal(2, info.Channels);
        Assert.Equal(2, Fixtures.Oracle("m4a/stsd-channels-mismatch.m4a").GetProperty("ffprobe").GetProperty("channels").GetInt32());
        Assert.Contains(info.Warnings, w => w.Message.Contains("6 channels", StringComparison.Ordinal));
    }

    [Fact]
    public void Truncated_files_are_accepted_with_a_warning()
    {
        // ffprobe counts the cut last frame as a packet (97); it holds no full frame of audio, so it is not counted.
        var cut = Prober.Probe(Fixtures.Bytes("mp3/truncated-noheader.mp3"));
        Assert.Equal(Fixtures.FfprobePackets("mp3/truncated-noheader.mp3") - 1, cut.FrameCount);
        Assert.Contains(cut.Warnings, w => w.Message.Contains("cut short", StringComparison.Ordinal));

        var xing = Prober.Probe(Fixtures.Bytes("mp3/truncated-xing.mp3"));
        Assert.Equal(DurationSource.FrameWalk, xing.DurationSource);
        Assert.True(xing.FrameCount < 97);
        Assert.Contains(xing.Warnings, w => w.Message.Contains("Xing", StringComparison.Ordinal));

        var mp4 = Prober.Probe(Fixtures.Bytes("m4a/truncated-moov-first.m4a"));
        Assert.Contains(mp4.Warnings, w => w.Message.Contains("truncated", StringComparison.Ordinal));
    }

    [Fact]
    public void Junk_with_false_syncs_before_the_audio_is_skipped()
    {
        var junk = Prober.Probe(Fixtures.Bytes("mp3/stacked-id3-junk.mp3"));
        var clean = Prober.Probe(Fixtures.Bytes("mp3/vbr-noheader.mp3"));

        Assert.Equal(clean.FrameCount, junk.FrameCount);
        Assert.Equal(clean.EncodedSamples, junk.EncodedSamples);
        Assert.Equal(junk.FileLength - clean.FileLength, junk.AudioOffset);
        Assert.Contains(junk.Warnings, w => w.Message.Contains("before the first audio frame", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Xing_with_zero_frames_means_absent_and_the_frames_are_walked()
    {
        var bytes = Fixtures.Bytes("mp3/vbr-xing-lame.mp3");
        int xing = bytes.AsSpan().IndexOf("Xing"u8);
        bytes.AsSpan(xing + 8, 4).Clear(); // the frame count field

        var info = await new MediaProber().ProbeAsync(new MemoryRandomAccessSource(bytes), TestContext.Current.CancellationToken);

        Assert.Equal(DurationSource.FrameWalk, info.DurationSource);
        Assert.Equal(97, info.FrameCount);
    }

    [Fact]
    public void Trailing_tags_are_not_audio()
    {
        var tagged = Prober.Probe(Fixtures.Bytes("mp3/ape-lyrics-id3v1.mp3"));
        var clean = Prober.Probe(Fixtures.Bytes("mp3/vbr-noheader.mp3"));
        Assert.Equal(clean.FrameCount, tagged.FrameCount);
        Assert.Equal(clean.AudioLength, tagged.AudioLength);
        Assert.Empty(tagged.Warnings);

        var appended = Prober.Probe(Fixtures.Bytes("mp3/appended-id3v24.mp3"));
        var plain = Prober.Probe(Fixtures.Bytes("mp3/mpeg2-mono-22k-noheader.mp3"));
        Assert.Equal(plain.AudioLength, appended.AudioLength);
        Assert.Equal("Appended Title", appended.Tags.Title);
    }

    [Fact]
    public async Task An_mdat_of_size_zero_runs_to_the_end_of_the_file()
    {
        var data = Fixtures.Bytes("m4a/faststart-tagged.m4a"); // mdat is the last box
        int mdat = data.AsSpan().LastIndexOf("mdat"u8) - 4;
        var expected = Prober.Probe(data);
        data.AsSpan(mdat, 4).Clear();

        var streamed = Prober.Probe(data);
        var ranged = await Prober.ProbeAsync(new MemoryRandomAccessSource(data), TestContext.Current.CancellationToken);

        Assert.Equal(Fixtures.Describe(expected), Fixtures.Describe(streamed));
        Assert.Equal(Fixtures.Describe(expected), Fixtures.Describe(ranged));
    }

    [Fact]
    public void Fragmented_mp4_counts_every_fragment()
    {
        var info = Prober.Probe(Fixtures.Bytes("m4a/fragmented.m4a"));

        Assert.Equal(Fixtures.FfprobePackets("m4a/fragmented.m4a"), info.FrameCount);
        Assert.Equal(DurationSource.SampleTable, info.DurationSource);
        Assert.Equal(22050, info.SampleRate);
        Assert.InRange(info.DurationSeconds, 1.45, 1.6);

        // mutagen reads neither the fragments (length 0) nor the AudioSpecificConfig (the sample entry's 2 channels).
        Assert.Equal(1, info.Channels);
        Assert.Equal(0.0, Fixtures.MutagenLength("m4a/fragmented.m4a"));
        Assert.Equal(2, Fixtures.Oracle("m4a/fragmented.m4a").GetProperty("mutagen").GetProperty("channels").GetInt32());
    }
}
