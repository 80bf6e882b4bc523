using System.Runtime.CompilerServices;

namespace MusicLocker.Media.Formats.Adts;

// ISO/IEC 13818-7 §6.2 / ISO/IEC 14496-3 §1.A.2.2: adts_fixed_header (syncword 12 = 0xFFF, ID 1, layer 2 = 0,
// protection_absent 1, profile 2, sampling_frequency_index 4, private 1, channel_configuration 3, original 1, home 1)
// and adts_variable_header (copyright bits 2, aac_frame_length 13 incl. header, buffer fullness 11,
// number_of_raw_data_blocks_in_frame 2).

/// <summary>A 7-byte ADTS frame header.</summary>
internal readonly struct AdtsFrameHeader
{
    public const int Size = 7;

    private static ReadOnlySpan<int> Rates => [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

    private readonly ulong _raw; // the 7 bytes in the low 56 bits

    private AdtsFrameHeader(ulong raw) => _raw = raw;

    /// <summary>The audio object type (profile + 1): 1 Main, 2 LC, 3 SSR, 4 LTP.</summary>
    public int ObjectType => (int)((_raw >> 38) & 3) + 1;

    public int SampleRateIndex => (int)((_raw >> 34) & 15);

    public int SampleRate => Rates[SampleRateIndex];

    public int ChannelConfiguration => (int)((_raw >> 30) & 7);

    public int Channels => ChannelConfiguration == 7 ? 8 : ChannelConfiguration;

    public int FrameLength => (int)((_raw >> 13) & 0x1FFF);

    public int RawDataBlocks => (int)(_raw & 3) + 1;

    public int SamplesPerFrame => RawDataBlocks * 1024;

    public bool HasCrc => ((_raw >> 40) & 1) == 0;

    /// <summary>
    /// The bits that stay constant through a stream: sync, ID, layer, profile, rate, private bit. Not the channel
    /// configuration or protection_absent, as MP3's signature leaves out its channel mode and CRC bit: a file of joined
    /// streams (stereo then mono, with and without CRC) is one timeline.
    /// </summary>
    public ulong StreamSignature => _raw & 0x00FF_FEFE_0000_0000;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryParse(ReadOnlySpan<byte> data, out AdtsFrameHeader header)
    {
        header = default;
        if (data.Length < Size || data[0] != 0xFF || (data[1] & 0xF6) != 0xF0)
        {
            return false;
        }

        ulong raw = ((ulong)data[0] << 48) | ((ulong)data[1] << 40) | ((ulong)data[2] << 32) | ((ulong)data[3] << 24)
            | ((ulong)data[4] << 16) | ((ulong)data[5] << 8) | data[6];
        var h = new AdtsFrameHeader(raw);
        if (h.SampleRateIndex > 12 || h.FrameLength < (h.HasCrc ? Size + 2 : Size) + 1)
        {
            return false;
        }

        header = h;
        return true;
    }
}
