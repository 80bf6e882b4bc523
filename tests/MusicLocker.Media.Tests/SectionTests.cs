using MusicLocker.Media.Formats.Mp4;
using MusicLocker.Media.Tags.Id3v1;
using MusicLocker.Media.Tags.Id3v2;

namespace MusicLocker.Media.Tests;

/// <summary>Section parsers on hand-made bytes (ISO/IEC 14496-3 AudioSpecificConfig, ID3 genre strings, unsynchronisation).</summary>
public sealed class SectionTests
{
    [Theory]
    [InlineData(new byte[] { 0x12, 0x10 }, 2, 44100, 44100, 2, false, false, "AAC LC")]                      // LC 44.1 kHz stereo
    [InlineData(new byte[] { 0x11, 0x88 }, 2, 48000, 48000, 1, false, false, "AAC LC")]                      // LC 48 kHz mono
    [InlineData(new byte[] { 0x2B, 0x92, 0x08, 0x00 }, 5, 22050, 44100, 2, true, false, "HE-AAC")]           // explicit SBR: AOT 5, ext 44.1 kHz, core LC
    [InlineData(new byte[] { 0xEB, 0x8A, 0x08, 0x00 }, 29, 22050, 44100, 2, true, true, "HE-AAC v2")]        // explicit PS: AOT 29, mono core → stereo
    [InlineData(new byte[] { 0x13, 0x90, 0x56, 0xE5, 0xA0 }, 2, 22050, 44100, 2, true, false, "HE-AAC")]     // backward-compatible 0x2B7 SBR signalling
    [InlineData(new byte[] { 0x17, 0x80, 0x01, 0xF4, 0x10, 0x00 }, 2, 1000, 1000, 2, false, false, "AAC LC")]      // explicit frequency (index 15)
    public void Audio_specific_config(byte[] bytes, int aot, int rate, int outputRate, int channels, bool sbr, bool ps, string profile)
    {
        Assert.True(AudioSpecificConfig.TryParse(bytes, out var asc));
        Assert.Equal(aot, asc.ObjectType);
        Assert.Equal(rate, asc.SampleRate);
        Assert.Equal(outputRate, asc.OutputSampleRate);
        Assert.Equal(channels, asc.Channels);
        Assert.Equal(sbr, asc.Sbr);
        Assert.Equal(ps, asc.Ps);
        Assert.Equal(profile, asc.ProfileName);
    }

    [Theory]
    [InlineData("(17)", "Rock")]
    [InlineData("17", "Rock")]
    [InlineData("(17)Rock & Roll", "Rock & Roll")]
    [InlineData("(RX)", "Remix")]
    [InlineData("((Not a number)", "(Not a number)")]
    [InlineData("Shoegaze", "Shoegaze")]
    [InlineData("(255)", "(255)")]
    public void Tcon_genres(string value, string genre) => Assert.Equal(genre, Id3Genres.Resolve(value));

    [Fact]
    public void Unsynchronisation_is_undone_once()
    {
        byte[] raw = [0xFF, 0x00, 0xE0, 0x41, 0xFF, 0x00, 0x00, 0xFF];
        var decoded = new byte[raw.Length];
        int n = Id3v2Unsync.Decode(raw, decoded);
        Assert.Equal(new byte[] { 0xFF, 0xE0, 0x41, 0xFF, 0x00, 0xFF }, decoded[..n]);
        Assert.Equal(4, Id3v2Unsync.RawIndexOf(raw, 3));
    }
}
