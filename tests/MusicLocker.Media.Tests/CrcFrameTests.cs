using MusicLocker.Testing;

namespace MusicLocker.Media.Tests;

/// <summary>
/// CRC-protected MP3 (<c>lame -p</c>): LAME writes its Info/Xing tag where it would be without the 2 CRC bytes, and
/// decoders look there. Found by an outside test: the Info frame was taken for audio, so the duration was one frame long,
/// the gapless delay and padding were lost and every time seek landed one frame early.
/// </summary>
public sealed class CrcFrameTests
{
    private static byte[] Regression(string name) =>
        File.ReadAllBytes(Path.Combine(TestEnvironment.RepositoryRoot, "tests", "MusicLocker.Media.Tests", "Regression", name));

    [Fact]
    public void A_crc_protected_lame_file_probes_as_its_twin_without_crc()
    {
        var crc = new MediaProber().Probe(Regression("crc-info-lame.mp3"));
        var plain = new MediaProber().Probe(Regression("info-lame-nocrc.mp3"));

        Assert.Equal(78, plain.FrameCount); // ffprobe -count_packets (Regression/README.md)
        Assert.Equal(plain.FrameCount, crc.FrameCount);
        Assert.Equal(plain.PlayableSamples, crc.PlayableSamples);
        Assert.Equal(plain.EncoderDelay, crc.EncoderDelay);
        Assert.Equal(plain.EncoderPadding, crc.EncoderPadding);
        Assert.True(crc.EncoderDelay > 0, "LAME's tag gives the encoder delay.");
        Assert.Equal(plain.Encoder, crc.Encoder);
        Assert.Equal(plain.AudioOffset, crc.AudioOffset);
        Assert.Equal(plain.DurationSource, crc.DurationSource);
    }

    [Fact]
    public void Time_seeks_in_a_crc_protected_file_land_where_they_land_in_its_twin_from_the_first_audio_frame()
    {
        var crc = Regression("crc-info-lame.mp3");
        var plain = Regression("info-lame-nocrc.mp3");
        var crcIndex = new MediaProber().Probe(crc).SeekIndex!;
        var plainIndex = new MediaProber().Probe(plain).SeekIndex!;
        for (double seconds = 0; seconds < 2.05; seconds += 0.013)
        {
            var time = TimeSpan.FromSeconds(seconds);
            var a = crcIndex.FindFrame(time, crc.AsSpan((int)crcIndex.Find(time).ByteOffset));
            var b = plainIndex.FindFrame(time, plain.AsSpan((int)plainIndex.Find(time).ByteOffset));
            Assert.Equal(b, a);
        }

        // ffprobe's first packet is at byte 208, after the 208-byte Info frame.
        Assert.Equal(208, crcIndex.FindFrame(TimeSpan.Zero, crc).ByteOffset);
    }
}
