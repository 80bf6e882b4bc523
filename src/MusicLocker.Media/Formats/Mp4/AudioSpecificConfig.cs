namespace MusicLocker.Media.Formats.Mp4;

// ISO/IEC 14496-3 §1.6.2.1 AudioSpecificConfig: audioObjectType (5 bits, 31 = escape to 32 + 6 bits),
// samplingFrequencyIndex (4 bits, 15 = explicit 24-bit frequency), channelConfiguration (4 bits); AOT 5 (SBR) and
// 29 (PS) signal explicitly: extension frequency index, then the underlying AOT. GASpecificConfig: frameLengthFlag
// (960/1024), dependsOnCoreCoder (+14 bits), extensionFlag. Backward-compatible signalling after it:
// syncExtensionType 0x2B7, extension AOT 5, sbrPresentFlag, extension frequency, then 0x548 psPresentFlag.

/// <summary>An MPEG-4 AudioSpecificConfig.</summary>
internal readonly struct AudioSpecificConfig
{
    private static ReadOnlySpan<int> Rates => [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

    public int ObjectType { get; init; }

    /// <summary>The AOT of the core codec (2 for HE-AAC's LC core).</summary>
    public int CoreObjectType { get; init; }

    public int SampleRate { get; init; }

    /// <summary>The output rate: doubled by SBR.</summary>
    public int OutputSampleRate { get; init; }

    public int ChannelConfiguration { get; init; }

    public bool Sbr { get; init; }

    public bool Ps { get; init; }

    public int FrameLength { get; init; }

    /// <summary>Output channels: the configuration's count; parametric stereo makes mono stereo; 0 when the configuration is in a PCE.</summary>
    public int Channels => Ps && ChannelConfiguration == 1 ? 2 : ChannelConfiguration switch { 7 => 8, 11 => 7, 12 => 8, 14 => 8, > 7 => 0, _ => ChannelConfiguration };

    /// <summary>PCM samples per frame at the output rate.</summary>
    public int SamplesPerFrame => Sbr ? FrameLength * 2 : FrameLength;

    public string ProfileName => (Ps ? 29 : Sbr ? 5 : CoreObjectType) switch
    {
        1 => "AAC Main",
        2 => "AAC LC",
        3 => "AAC SSR",
        4 => "AAC LTP",
        5 => "HE-AAC",
        29 => "HE-AAC v2",
        23 => "AAC LD",
        39 => "AAC ELD",
        42 => "xHE-AAC (USAC)",
        var n => $"AAC (object type {n})",
    };

    public static bool TryParse(ReadOnlySpan<byte> data, out AudioSpecificConfig config)
    {
        config = default;
        var r = new BitReader(data);
        int aot = ReadAot(ref r);
        int rate = ReadRate(ref r);
        int channels = r.Read(4);
        if (r.Overrun || aot == 0 || rate <= 0)
        {
            return false;
        }

        bool sbr = false, ps = false;
        int extRate = rate;
        int core = aot;
        if (aot is 5 or 29)
        {
            sbr = true;
            ps = aot == 29;
            extRate = ReadRate(ref r);
            core = ReadAot(ref r);
            if (core == 22)
            {
                r.Read(4);
            }
        }

        int frameLength = 1024;
        if (core is 1 or 2 or 3 or 4 or 6 or 7 or 17 or 19 or 20 or 21 or 22 or 23)
        {
            frameLength = r.Read(1) == 1 ? 960 : 1024;
            if (core is 23)
            {
                frameLength = frameLength == 960 ? 480 : 512;
            }

            if (r.Read(1) == 1)
            {
                r.Read(14);
            }

            int extensionFlag = r.Read(1);
            if (channels != 0 && !r.Overrun)
            {
                if (core is 6 or 20)
                {
                    r.Read(3);
                }

                if (extensionFlag == 1)
                {
                    if (core == 22)
                    {
                        r.Read(16);
                    }

                    if (core is 17 or 19 or 20 or 23)
                    {
                        r.Read(3);
                    }

                    r.Read(1);
                }

                // Backward-compatible (implicit-in-config) SBR/PS signalling.
                if (!sbr && r.BitsLeft >= 16 && r.Peek(11) == 0x2B7)
                {
                    r.Read(11);
                    int extAot = ReadAot(ref r);
                    if (extAot == 5 && r.Read(1) == 1)
                    {
                        sbr = true;
                        extRate = ReadRate(ref r);
                        if (r.BitsLeft >= 12 && r.Peek(11) == 0x548)
                        {
                            r.Read(11);
                            ps = r.Read(1) == 1;
                        }
                    }
                }
            }
        }
        else if (core == 42)
        {
            frameLength = 1024;
        }

        if (r.Overrun && !sbr && core == aot)
        {
            // The config was cut short after the essentials: still usable.
        }

        config = new AudioSpecificConfig
        {
            ObjectType = aot,
            CoreObjectType = core,
            SampleRate = rate,
            OutputSampleRate = sbr && extRate > 0 ? extRate : rate,
            ChannelConfiguration = channels,
            Sbr = sbr,
            Ps = ps,
            FrameLength = frameLength,
        };
        return true;
    }

    private static int ReadAot(ref BitReader r)
    {
        int aot = r.Read(5);
        return aot == 31 ? 32 + r.Read(6) : aot;
    }

    private static int ReadRate(ref BitReader r)
    {
        int index = r.Read(4);
        return index == 15 ? r.Read(24) : index < Rates.Length ? Rates[index] : -1;
    }

    private ref struct BitReader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _bit;

        public readonly bool Overrun => _bit > _data.Length * 8;

        public readonly int BitsLeft => Math.Max(0, (_data.Length * 8) - _bit);

        public int Read(int count)
        {
            int v = Peek(count);
            _bit += count;
            return v;
        }

        public readonly int Peek(int count)
        {
            int v = 0;
            for (int i = 0; i < count; i++)
            {
                int b = _bit + i;
                int bit = b < _data.Length * 8 ? (_data[b >> 3] >> (7 - (b & 7))) & 1 : 0;
                v = (v << 1) | bit;
            }

            return v;
        }
    }
}
