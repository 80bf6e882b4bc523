using MusicLocker.Media;

namespace MusicLocker.Media.Tests;

/// <summary>
/// <see cref="MediaProbeOptions.FrameWalkLimit"/>: a range probe of a file with no frame count (MP3 without Xing/VBRI, ADTS)
/// reads a bounded prefix and says its duration is an estimate; files with a count, short files and the stream probe stay exact.
/// </summary>
public sealed class BoundedProbeTests
{
    private const long Limit = 64 * 1024;

    [Theory]
    [InlineData("mp3/vbr-noheader.mp3", 80, 0.03)]
    [InlineData("mp3/mpeg2-mono-22k-noheader.mp3", 400, 0.01)]
    [InlineData("aac/lc-44k-stereo.aac", 120, 0.03)]
    public async Task A_long_file_without_a_frame_count_is_read_only_to_the_limit_and_flagged_as_estimated(string name, int copies, double tolerance)
    {
        var ct = TestContext.Current.CancellationToken;
        byte[] file = Repeat(name, copies);
        var exact = await new MediaProber().ProbeStreamAsync(new MemoryStream(file), ct);
        Assert.Equal(DurationSource.FrameWalk, exact.DurationSource);
        Assert.False(exact.IsDurationEstimated);

        var source = new CountingSource(file);
        var bounded = await new MediaProber(new MediaProbeOptions { FrameWalkLimit = Limit }).ProbeAsync(source, ct);

        Assert.Equal(DurationSource.Estimated, bounded.DurationSource);
        Assert.True(bounded.IsDurationEstimated);
        Assert.Null(bounded.SeekIndex);
        Assert.InRange(bounded.FrameCount, exact.FrameCount * (1 - tolerance), exact.FrameCount * (1 + tolerance));
        Assert.InRange(bounded.DurationSeconds, exact.DurationSeconds * (1 - tolerance), exact.DurationSeconds * (1 + tolerance));
        Assert.Equal(exact.AudioOffset, bounded.AudioOffset);
        Assert.Equal(exact.AudioLength, bounded.AudioLength);
        Assert.Equal(exact.SampleRate, bounded.SampleRate);
        Assert.Equal(exact.Tags.RawFields, bounded.Tags.RawFields);

        // Bounded: the head, at most one sequential read past the limit (1 MiB), and the 128 KiB tail; not the whole file.
        Assert.True(file.Length > 2 * (1024 * 1024), $"the fixture is {file.Length} bytes");
        Assert.True(source.BytesRead <= Limit + (1024 * 1024) + (128 * 1024) + (64 * 1024), $"{source.BytesRead} bytes read of {file.Length}");

        // Without the limit the same range probe walks it all and is exact.
        var unbounded = new CountingSource(file);
        var walked = await new MediaProber().ProbeAsync(unbounded, ct);
        Assert.Equal(DurationSource.FrameWalk, walked.DurationSource);
        Assert.Equal(exact.FrameCount, walked.FrameCount);
        // (The walk reads every frame header up to the last one; the last frame's own bytes past its header need not be read.)
        Assert.True(unbounded.BytesRead >= walked.AudioLength - 8192 && unbounded.BytesRead > 2 * source.BytesRead, $"{unbounded.BytesRead} bytes read, {walked.AudioLength} bytes of audio, {source.BytesRead} bounded");
    }

    [Theory]
    [InlineData("mp3/vbr-noheader.mp3")]
    [InlineData("aac/lc-22k-mono.aac")]
    public async Task A_file_shorter_than_the_limit_is_walked_whole_and_exact(string name)
    {
        var ct = TestContext.Current.CancellationToken;
        var exact = new MediaProber().Probe(Fixtures.Bytes(name));
        var bounded = await new MediaProber(new MediaProbeOptions { FrameWalkLimit = Limit }).ProbeAsync(new CountingSource(Fixtures.Bytes(name)), ct);
        Assert.Equal(DurationSource.FrameWalk, bounded.DurationSource);
        Assert.Equal(exact.FrameCount, bounded.FrameCount);
        Assert.NotNull(bounded.SeekIndex);
    }

    [Fact]
    public async Task A_file_with_a_xing_header_keeps_its_exact_count_under_the_limit()
    {
        var ct = TestContext.Current.CancellationToken;
        var bounded = await new MediaProber(new MediaProbeOptions { FrameWalkLimit = Limit }).ProbeAsync(new CountingSource(Fixtures.Bytes("mp3/cbr-info-lame.mp3")), ct);
        Assert.Equal(DurationSource.XingHeader, bounded.DurationSource);
        Assert.False(bounded.IsDurationEstimated);
    }

    [Fact]
    public async Task A_cut_file_is_estimated_without_the_cut_frame_warning_the_walk_never_reached()
    {
        var ct = TestContext.Current.CancellationToken;
        byte[] whole = Repeat("mp3/mpeg2-mono-22k-noheader.mp3", 300);
        byte[] cut = whole.AsSpan(0, whole.Length - 37).ToArray();
        var bounded = await new MediaProber(new MediaProbeOptions { FrameWalkLimit = Limit }).ProbeAsync(new CountingSource(cut), ct);
        Assert.True(bounded.IsDurationEstimated);
        Assert.Empty(bounded.Warnings);
        var exact = new MediaProber().Probe(cut);
        Assert.InRange(bounded.FrameCount, exact.FrameCount - 3, exact.FrameCount + 3);
    }

    [Fact]
    public async Task Junk_past_the_limit_is_left_to_the_full_pass()
    {
        // What the bounded probe never read it cannot judge: the single pass (stream probe) still sees it.
        var ct = TestContext.Current.CancellationToken;
        byte[] audio = Repeat("mp3/mpeg2-mono-22k-noheader.mp3", 300);
        byte[] file = [.. audio, .. new byte[5000], .. audio];
        var bounded = await new MediaProber(new MediaProbeOptions { FrameWalkLimit = Limit }).ProbeAsync(new CountingSource(file), ct);
        Assert.True(bounded.IsDurationEstimated);
        Assert.Empty(bounded.Warnings);
        var exact = await new MediaProber().ProbeStreamAsync(new MemoryStream(file), ct);
        Assert.NotEmpty(exact.Warnings);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(65535L)]
    [InlineData(-1L)]
    public void A_limit_below_64_KiB_is_refused_naming_the_option(long limit)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new MediaProber(new MediaProbeOptions { FrameWalkLimit = limit }));
        Assert.Equal(nameof(MediaProbeOptions.FrameWalkLimit), error.ParamName);
    }

    /// <summary>The fixture's leading tag (if any), then its audio frames <paramref name="copies"/> times: a long file with no frame count.</summary>
    private static byte[] Repeat(string name, int copies)
    {
        byte[] bytes = Fixtures.Bytes(name);
        var info = new MediaProber().Probe(bytes);
        var audio = bytes.AsSpan((int)info.AudioOffset, (int)info.AudioLength);
        var result = new byte[info.AudioOffset + (audio.Length * (long)copies)];
        bytes.AsSpan(0, (int)info.AudioOffset).CopyTo(result);
        for (int i = 0; i < copies; i++)
        {
            audio.CopyTo(result.AsSpan((int)info.AudioOffset + (i * audio.Length)));
        }

        return result;
    }

    private sealed class CountingSource(byte[] data) : IRandomAccessSource
    {
        public long BytesRead { get; private set; }

        public long Length => data.Length;

        public ValueTask<int> ReadAtAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            int n = (int)Math.Min(buffer.Length, Math.Max(0, data.Length - offset));
            data.AsMemory((int)offset, n).CopyTo(buffer);
            BytesRead += n;
            return ValueTask.FromResult(n);
        }
    }
}
