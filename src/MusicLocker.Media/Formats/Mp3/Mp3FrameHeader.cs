using System.Runtime.CompilerServices;

namespace MusicLocker.Media.Formats.Mp3;

// ISO/IEC 11172-3 §2.4.2.3 (MPEG-1 audio) and ISO/IEC 13818-3 (MPEG-2 LSF); MPEG-2.5 is the Fraunhofer extension
// (version bits 00). Header: 11 sync bits, version 2, layer 2, protection 1, bitrate 4, sample rate 2, padding 1,
// private 1, channel mode 2, mode extension 2, copyright 1, original 1, emphasis 2.

/// <summary>A 4-byte MPEG audio frame header (any layer, so Layer I/II files can be named and refused).</summary>
internal readonly struct Mp3FrameHeader
{
    public const int Size = 4;

    // kbit/s by [version is MPEG-1 ? 0 : 1][layer 1..3][index]
    private static ReadOnlySpan<ushort> BitratesV1L1 => [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448, 0];
    private static ReadOnlySpan<ushort> BitratesV1L2 => [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 0];
    private static ReadOnlySpan<ushort> BitratesV1L3 => [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0];
    private static ReadOnlySpan<ushort> BitratesV2L1 => [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256, 0];
    private static ReadOnlySpan<ushort> BitratesV2L23 => [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0];

    private static readonly int[] LengthTable = BuildLengthTable();

    private readonly uint _raw;

    private Mp3FrameHeader(uint raw, int frameLength, int bitrateKbps, int sampleRate)
    {
        _raw = raw;
        FrameLength = frameLength;
        BitrateKbps = bitrateKbps;
        SampleRate = sampleRate;
    }

    /// <summary>1 (MPEG-1), 2 (MPEG-2) or 25 (MPEG-2.5).</summary>
    public int Version => ((_raw >> 19) & 3) switch { 3 => 1, 2 => 2, _ => 25 };

    /// <summary>1, 2 or 3.</summary>
    public int Layer => 4 - (int)((_raw >> 17) & 3);

    public bool HasCrc => ((_raw >> 16) & 1) == 0;

    public int BitrateKbps { get; }

    public int SampleRate { get; }

    public bool Padding => ((_raw >> 9) & 1) != 0;

    /// <summary>0 stereo, 1 joint stereo, 2 dual channel, 3 mono.</summary>
    public int ChannelMode => (int)((_raw >> 6) & 3);

    public int Channels => ChannelMode == 3 ? 1 : 2;

    public int FrameLength { get; }

    /// <summary>Whether the bitrate index is 0 (free format): the frame length came from the stream, not the header.</summary>
    public bool IsFreeFormat => ((_raw >> 12) & 15) == 0;

    public int SamplesPerFrame => Layer switch { 1 => 384, 2 => 1152, _ => Version == 1 ? 1152 : 576 };

    /// <summary>The bits that stay constant through a stream: sync, version, layer, sample rate.</summary>
    public uint StreamSignature => _raw & 0xFFFE0C00;

    /// <summary>Where the Xing/Info header would start, counted from the frame start (after the side information).</summary>
    public int SideInfoEnd => Size + (HasCrc ? 2 : 0) + (Version == 1 ? (Channels == 1 ? 17 : 32) : (Channels == 1 ? 9 : 17));

    public string ProfileName => $"MPEG-{(Version == 25 ? "2.5" : Version.ToString(System.Globalization.CultureInfo.InvariantCulture))} Layer {(Layer == 3 ? "III" : Layer == 2 ? "II" : "I")}";

    /// <summary>
    /// The shortest and the longest frame a stream of this header's version, layer and sample rate can hold (any bitrate,
    /// with or without padding): what a frame count in a Xing/VBRI header is checked against.
    /// </summary>
    public (int Min, int Max) StreamFrameLengths()
    {
        if (IsFreeFormat)
        {
            int unpadded = FrameLength - (Padding ? 1 : 0);
            return (unpadded, unpadded + 1);
        }

        int min = int.MaxValue, max = 0;
        for (uint bitrate = 1; bitrate < 15; bitrate++)
        {
            uint raw = StreamSignature | (bitrate << 12); // the signature holds no bitrate or padding bits
            min = Math.Min(min, LengthOf(raw));
            max = Math.Max(max, LengthOf(raw | 0x200));
        }

        return (min, max);
    }

    /// <summary>
    /// The frame length of a header whose sync bits are already checked, or 0 when a decoder would reject it: one table
    /// lookup on version, layer, bitrate, sample rate and padding bits (the hot path of the frame walk).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int LengthOf(uint raw) => LengthTable[(int)(((raw >> 10) & 0x780) | ((raw >> 9) & 0x7F))];

    private static int[] BuildLengthTable()
    {
        var table = new int[2048];
        for (uint v = 0; v < 4; v++)
        {
            for (uint l = 0; l < 4; l++)
            {
                for (uint rest = 0; rest < 128; rest++)
                {
                    uint raw = 0xFFE00000 | (v << 19) | (l << 17) | (rest << 9);
                    table[(int)(((raw >> 10) & 0x780) | ((raw >> 9) & 0x7F))] = TryParse(raw, out var h) ? h.FrameLength : 0;
                }
            }
        }

        return table;
    }

    /// <summary>Parses a header; false for anything a decoder would reject (bad sync, reserved values, free format).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryParse(ReadOnlySpan<byte> data, out Mp3FrameHeader header)
    {
        if (data.Length < Size)
        {
            header = default;
            return false;
        }

        uint raw = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(data);
        return TryParse(raw, out header);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryParse(uint raw, out Mp3FrameHeader header)
    {
        header = default;
        if ((raw & 0xFFE00000) != 0xFFE00000)
        {
            return false;
        }

        uint versionBits = (raw >> 19) & 3;
        uint layerBits = (raw >> 17) & 3;
        uint bitrateIndex = (raw >> 12) & 15;
        uint rateIndex = (raw >> 10) & 3;
        if (versionBits == 1 || layerBits == 0 || bitrateIndex == 0 || bitrateIndex == 15 || rateIndex == 3)
        {
            return false;
        }

        int layer = 4 - (int)layerBits;
        bool v1 = versionBits == 3;
        int kbps = v1
            ? layer switch { 1 => BitratesV1L1[(int)bitrateIndex], 2 => BitratesV1L2[(int)bitrateIndex], _ => BitratesV1L3[(int)bitrateIndex] }
            : layer == 1 ? BitratesV2L1[(int)bitrateIndex] : BitratesV2L23[(int)bitrateIndex];
        int baseRate = rateIndex switch { 0 => 44100, 1 => 48000, _ => 32000 };
        int sampleRate = versionBits switch { 3 => baseRate, 2 => baseRate / 2, _ => baseRate / 4 };
        int padding = (int)((raw >> 9) & 1);
        int length = layer switch
        {
            1 => ((12 * kbps * 1000 / sampleRate) + padding) * 4,
            2 => (144 * kbps * 1000 / sampleRate) + padding,
            _ => ((v1 ? 144 : 72) * kbps * 1000 / sampleRate) + padding,
        };

        header = new Mp3FrameHeader(raw, length, kbps, sampleRate);
        return true;
    }

    /// <summary>
    /// Parses a free-format Layer III header (bitrate index 0) of a stream whose unpadded frame length was measured
    /// (<see cref="FreeFormat.Measure"/>); the bitrate is the one that length stands for.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryParseFree(uint raw, int unpaddedLength, out Mp3FrameHeader header)
    {
        header = default;
        if (!FreeFormat.IsHeader(raw))
        {
            return false;
        }

        int sampleRate = FreeFormat.SampleRateOf(raw);
        int coefficient = ((raw >> 19) & 3) == 3 ? 144 : 72;
        int kbps = (int)Math.Round((double)unpaddedLength * sampleRate / (coefficient * 1000));
        header = new Mp3FrameHeader(raw, unpaddedLength + (int)((raw >> 9) & 1), kbps, sampleRate);
        return true;
    }
}
