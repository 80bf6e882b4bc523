using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using MusicLocker.Media;
using MusicLocker.Storage;
using MusicLocker.Storage.InMemory;
using MusicLocker.Streaming.Tests.Support;
using MusicLocker.Testing;

namespace MusicLocker.Streaming.Tests;

public sealed class TimeSeekTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Fixture(string path) => Path.Combine(TestEnvironment.RepositoryRoot, "tests", "fixtures", path);

    public static readonly TheoryData<string> Fixtures = new("mp3/cbr-info-lame.mp3", "mp3/vbr-xing-lame.mp3", "mp3/vbri.mp3", "mp3/id3v23-full.mp3", "aac/lc-44k-stereo.aac");

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task Time_seeks_land_on_a_frame_boundary_within_one_frame_of_the_time(string fixture)
    {
        byte[] file = await File.ReadAllBytesAsync(Fixture(fixture), Ct);
        var info = new MediaProber(new MediaProbeOptions { SeekIndexInterval = TimeSpan.FromMilliseconds(100) }).Probe(file);
        var index = Assert.IsType<SeekIndex>(info.SeekIndex);
        var store = new CountingBlobStore(new InMemoryBlobStore());
        var key = BlobKey.Parse("ann/" + Path.GetFileName(fixture));
        var props = await store.PutBytesAsync(key, file, cancellationToken: Ct);
        var packets = FfprobePackets(Fixture(fixture));
        // Without ffprobe: the fixtures' known frame duration (MPEG-1 Layer III 1,152 samples, AAC 1,024).
        double frame = (fixture.EndsWith(".aac", StringComparison.Ordinal) ? 1024.0 : 1152.0) / index.Timescale;

        double total = (double)index.TotalDuration / index.Timescale;
        for (double t = 0; t < total + 0.5; t += total / 37)
        {
            store.ResetCounts();
            var point = await TimeSeek.FindFrameAsync(store, key, index, TimeSpan.FromSeconds(t), props.ETag, Ct);
            Assert.Equal(1, store.Reads);
            double at = point.Time.TotalSeconds;
            if (packets is not null)
            {
                // ffprobe's own demuxer: the offset is where one of its packets starts, and that packet starts within one frame of t.
                int p = packets.FindIndex(x => x.Pos == point.ByteOffset);
                Assert.True(p >= 0, $"{fixture} t={t:F3}: offset {point.ByteOffset} is not a packet boundary of ffprobe -show_packets");
                double expected = packets[p].Time;
                frame = packets[p].Duration > 0 ? packets[p].Duration : frame;
                Assert.True(Math.Abs(expected - Math.Min(t, total)) <= frame + 1e-6, $"{fixture} t={t:F3}: the frame at {point.ByteOffset} starts at {expected:F4}s (one frame = {frame:F4}s)");
                Assert.True(Math.Abs(at - expected) <= frame + 1e-6, $"{fixture} t={t:F3}: SeekPoint.Time {at:F4}s, ffprobe {expected:F4}s");
            }
            else
            {
                Assert.True(at <= t + 1e-6 || t >= total, $"t={t}: frame starts at {at}");
                Assert.True(t - at <= frame + 1e-6 || t >= total - frame, $"t={t}: frame starts at {at}");
            }
        }
    }

    [Fact]
    public async Task A_seek_into_the_middle_of_a_100_MB_track_costs_two_storage_reads()
    {
        // 100 MB of CBR MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz, 417 bytes): about 43 minutes.
        const int FrameLength = 417;
        const int Frames = (100 * 1024 * 1024) / FrameLength;
        byte[] file = new byte[Frames * FrameLength];
        for (int i = 0; i < Frames; i++)
        {
            file.AsSpan(i * FrameLength, 4).CopyTo(file.AsSpan(i * FrameLength));
            file[i * FrameLength] = 0xFF;
            file[(i * FrameLength) + 1] = 0xFB;
            file[(i * FrameLength) + 2] = 0x90;
            file[(i * FrameLength) + 3] = 0x00;
        }

        var index = Assert.IsType<SeekIndex>(new MediaProber().Probe(file).SeekIndex);
        var store = new CountingBlobStore(new InMemoryBlobStore());
        var key = BlobKey.Parse("ann/long.mp3");
        var props = await store.PutBytesAsync(key, file, cancellationToken: Ct);
        store.ResetCounts();

        var time = TimeSpan.FromSeconds((double)index.TotalDuration / index.Timescale / 2) + TimeSpan.FromMilliseconds(123);
        var point = await TimeSeek.FindFrameAsync(store, key, index, time, props.ETag, Ct);
        long seekBytes = store.BytesRead;
        Assert.Equal(0, point.ByteOffset % FrameLength);
        Assert.InRange(time - point.Time, TimeSpan.Zero, TimeSpan.FromSeconds(1152.0 / 44100));

        // Stream a second of audio from that frame: the second and last read.
        var pipe = new Pipe();
        var reader = new BlobRangeReader(store);
        long written = await reader.WriteRangeAsync(key, point.ByteOffset, 16_000, pipe.Writer, props.ETag, Ct);
        var result = await pipe.Reader.ReadAtLeastAsync(4, Ct);
        Assert.Equal(16_000, written);
        Assert.Equal(0xFF, result.Buffer.FirstSpan[0]); // a valid stream starts with a frame header
        Assert.Equal(2, store.Reads);
        Assert.True(seekBytes <= 32 * 1024, $"the seek read {seekBytes} bytes: more than one index interval");
    }

    [Fact]
    public async Task A_seek_with_an_index_of_another_file_or_version_is_a_typed_error()
    {
        byte[] file = await File.ReadAllBytesAsync(Fixture("mp3/cbr-info-lame.mp3"), Ct);
        var index = Assert.IsType<SeekIndex>(new MediaProber().Probe(file).SeekIndex);
        var store = new InMemoryBlobStore();
        var key = BlobKey.Parse("ann/x.mp3");
        var props = await store.PutBytesAsync(key, TestData.Bytes(file.Length), cancellationToken: Ct);
        var ex = await Assert.ThrowsAsync<MediaFormatException>(() => TimeSeek.FindFrameAsync(store, key, index, TimeSpan.FromSeconds(0.5), cancellationToken: Ct));
        Assert.Equal(MediaErrorCode.Corrupt, ex.ErrorCode);

        var shorter = await store.PutBytesAsync(key, file.AsMemory(0, 100), cancellationToken: Ct);
        ex = await Assert.ThrowsAsync<MediaFormatException>(() => TimeSeek.FindFrameAsync(store, key, index, TimeSpan.FromSeconds(1), cancellationToken: Ct));
        Assert.Equal(MediaErrorCode.Corrupt, ex.ErrorCode);

        // Pinned to the version the index was built from: the overwrite is seen as such.
        await Assert.ThrowsAsync<BlobConditionFailedException>(() => TimeSeek.FindFrameAsync(store, key, index, TimeSpan.FromSeconds(1), props.ETag, Ct));
        Assert.NotEqual(props.ETag, shorter.ETag);
    }

    [Theory]
    [InlineData("0", 0.0)]
    [InlineData("83", 83.0)]
    [InlineData("83.5", 83.5)]
    [InlineData("0.001", 0.001)]
    [InlineData("86400", 86400.0)]
    public void Seconds_parse(string value, double seconds)
    {
        Assert.True(TimeSeek.TryParseSeconds(value, out var time));
        Assert.Equal(TimeSpan.FromSeconds(seconds), time);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("1e3")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("1,5")]
    [InlineData("86401")]
    [InlineData(" 5")]
    [InlineData("99999999999999999999999999999999999999")]
    [InlineData("1:23")]
    [InlineData("1e309")]
    [InlineData("-0")]
    [InlineData("+5")]
    [InlineData(".")]
    [InlineData("5 ")]
    [InlineData("0x10")]
    [InlineData("\uFF15")] // a full-width 5
    [InlineData("86400.001")]
    [InlineData("-Infinity")]
    [InlineData("1.5.2")]
    [InlineData("5\0")]
    public void Hostile_seconds_are_refused(string? value) => Assert.False(TimeSeek.TryParseSeconds(value, out _));

    private static List<(double Time, double Duration, long Pos)>? FfprobePackets(string path)
    {
        const string Ffprobe = "/usr/bin/ffprobe";
        if (!File.Exists(Ffprobe))
        {
            return null;
        }

        var psi = new ProcessStartInfo(Ffprobe, ["-v", "error", "-select_streams", "a:0", "-show_entries", "packet=pts_time,duration_time,pos", "-of", "csv=p=0", path])
        {
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(psi)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var packets = new List<(double, double, long)>();
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var f = line.Split(',');
            if (f.Length >= 3 && double.TryParse(f[0], CultureInfo.InvariantCulture, out double t) && long.TryParse(f[2], CultureInfo.InvariantCulture, out long pos))
            {
                packets.Add((t, double.TryParse(f[1], CultureInfo.InvariantCulture, out double d) ? d : 0, pos));
            }
        }

        return packets;
    }
}
