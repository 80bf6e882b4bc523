namespace MusicLocker.Media.Tests;

/// <summary>What a music locker refuses, and the typed error that says why.</summary>
public sealed class RefusalTests
{
    public static TheoryData<string, MediaErrorCode, string> Refused => new()
    {
        { "other/sine.flac", MediaErrorCode.UnsupportedFormat, "FLAC" },
        { "other/sine.wav", MediaErrorCode.UnsupportedFormat, "WAV" },
        { "other/sine.ogg", MediaErrorCode.UnsupportedFormat, "Ogg" },
        { "other/cover.png", MediaErrorCode.UnsupportedFormat, "PNG" },
        { "other/layer2.mp2", MediaErrorCode.UnsupportedFormat, "Layer II" },
        { "other/empty.bin", MediaErrorCode.Empty, "empty" },
        { "other/zeros.bin", MediaErrorCode.Empty, "zero" },
        { "other/tag-only.mp3", MediaErrorCode.Empty, "no audio" },
        { "other/moov-cut.m4a", MediaErrorCode.Corrupt, "end of the file" },
        { "m4a/drm-drms.m4a", MediaErrorCode.DrmProtected, "FairPlay" },
        { "m4a/drm-enca-itun.m4a", MediaErrorCode.DrmProtected, "FairPlay" },
        { "m4a/drm-enca-cenc.m4a", MediaErrorCode.DrmProtected, "cenc" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Refused_by_stream_and_by_range_with_the_same_code(string file, MediaErrorCode code, string named)
    {
        var data = Fixtures.Bytes(file);
        var byStream = Assert.Throws<MediaFormatException>(() => new MediaProber().Probe(data));
        var byRange = await Assert.ThrowsAsync<MediaFormatException>(() => new MediaProber().ProbeAsync(new MemoryRandomAccessSource(data), TestContext.Current.CancellationToken));

        Assert.Equal(code, byStream.ErrorCode);
        Assert.Equal(code, byRange.ErrorCode);
        Assert.Contains(named, byStream.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Random_bytes_are_unsupported()
    {
        var data = new byte[10_000];
        new Random(1).NextBytes(data);
        data[0] = 0x12; // not a signature
        var e = Assert.Throws<MediaFormatException>(() => new MediaProber(new MediaProbeOptions { MaxLeadingJunk = 8192 }).Probe(data));
        Assert.Equal(MediaErrorCode.UnsupportedFormat, e.ErrorCode);
    }

    [Fact]
    public void Detection_is_by_content_not_by_name()
    {
        // An M4A renamed .mp3 and an MP3 renamed .m4a are what their bytes say.
        var info = new MediaProber().Probe(Fixtures.Bytes("m4a/faststart-tagged.m4a"));
        Assert.Equal(MediaContainer.Mp4, info.Container);
        Assert.Equal(MediaContainer.Adts, new MediaProber().Probe(Fixtures.Bytes("aac/lc-22k-mono.aac")).Container);
    }

    [Fact]
    public void Common_encryption_with_cbcs_and_audible_are_drm()
    {
        var data = Fixtures.Bytes("m4a/drm-enca-cenc.m4a");
        int at = data.AsSpan().IndexOf("cenc"u8);
        "cbcs"u8.CopyTo(data.AsSpan(at));
        Assert.Contains("cbcs", Assert.Throws<MediaFormatException>(() => new MediaProber().Probe(data)).Message, StringComparison.Ordinal);

        var audible = Fixtures.Bytes("m4a/moov-at-end.m4a");
        int mp4a = audible.AsSpan().IndexOf("mp4a"u8);
        "aavd"u8.CopyTo(audible.AsSpan(mp4a));
        Assert.Equal(MediaErrorCode.DrmProtected, Assert.Throws<MediaFormatException>(() => new MediaProber().Probe(audible)).ErrorCode);
    }

    [Fact]
    public void Limits_are_enforced_with_their_own_code()
    {
        var e = Assert.Throws<MediaFormatException>(() => new MediaProber(new MediaProbeOptions { MaxFrames = 10 }).Probe(Fixtures.Bytes("mp3/vbr-noheader.mp3")));
        Assert.Equal(MediaErrorCode.LimitExceeded, e.ErrorCode);
        Assert.Contains("MaxFrames", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Regression_a_64_bit_box_size_that_overflows_the_offset_is_corrupt_not_a_crash()
    {
        // Found by the fuzz test: a largesize near 2^63 made offset + size wrap negative.
        byte[] ftyp = [0, 0, 0, 16, .. "ftypM4A "u8, 0, 0, 0, 0];
        byte[] moov = [0, 0, 0, 1, .. "moov"u8, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xF0, .. new byte[32]];
        byte[] file = [.. ftyp, .. moov];

        Assert.Equal(MediaErrorCode.Corrupt, Assert.Throws<MediaFormatException>(() => new MediaProber().Probe(file)).ErrorCode);
    }

    [Fact]
    public void Regression_an_id3v23_extended_header_larger_than_its_unsynchronised_tag_is_ignored()
    {
        // Found by the fuzz test: the extended header size (not syncsafe in 2.3) pointed past the tag body.
        byte[] body = [0x7F, 0xFF, 0xFF, 0xF0, .. new byte[20]];
        byte[] tag = [.. "ID3"u8, 3, 0, 0xC0, 0, 0, 0, (byte)body.Length, .. body];
        byte[] file = [.. tag, .. Fixtures.Bytes("mp3/vbr-noheader.mp3")];

        var info = new MediaProber().Probe(file);

        Assert.Equal(97, info.FrameCount);
    }
}
