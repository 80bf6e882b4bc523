using System.Buffers.Binary;

namespace MusicLocker.Media.Formats.Mp4;

// ISO/IEC 14496-12 §12.2.3 AudioSampleEntry (QuickTime sound description versions 1 and 2 add 16/36 bytes), its
// children: 'esds' (ISO/IEC 14496-14 §5.6: ES_Descriptor 0x03 → DecoderConfigDescriptor 0x04 → DecoderSpecificInfo
// 0x05 = AudioSpecificConfig; descriptor lengths are 1-4 bytes of 7 bits), QuickTime 'wave' (wraps 'esds'), and for
// protected entries ('enca', 'drms') 'sinf' → 'frma' (original format) + 'schm' (scheme type: 'cenc', 'cbcs', 'itun', …).

/// <summary>What an audio sample entry says about its codec and protection.</summary>
internal sealed class AudioSampleEntry
{
    public uint Format { get; init; }

    public uint OriginalFormat { get; set; }

    public uint SchemeType { get; set; }

    public int Channels { get; init; }

    public int SampleRate { get; init; }

    public int ObjectTypeIndication { get; set; }

    public uint AverageBitrate { get; set; }

    public AudioSpecificConfig? Config { get; set; }

    public bool HasAdrm { get; set; }

    /// <summary>Parses an entry: <paramref name="box"/> is the whole box, header included.</summary>
    public static AudioSampleEntry Parse(ReadOnlySpan<byte> box, int headerSize, uint type)
    {
        var body = box[headerSize..];
        if (body.Length < 28)
        {
            return new AudioSampleEntry { Format = type };
        }

        int version = BinaryPrimitives.ReadUInt16BigEndian(body[8..]);
        int channels = BinaryPrimitives.ReadUInt16BigEndian(body[16..]);
        int rate = (int)(BinaryPrimitives.ReadUInt32BigEndian(body[24..]) >> 16);
        int childrenAt = version switch { 1 => 28 + 16, 2 => 28 + 36, _ => 28 };
        if (version == 2 && body.Length >= 28 + 36)
        {
            double r = BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64BigEndian(body[32..]));
            rate = r is > 0 and < 10_000_000 ? (int)r : rate;
            channels = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(body[40..]), 64);
        }

        var entry = new AudioSampleEntry { Format = type, Channels = channels, SampleRate = rate };
        if (childrenAt < body.Length)
        {
            entry.ReadChildren(body[childrenAt..], 0);
        }

        return entry;
    }

    private void ReadChildren(ReadOnlySpan<byte> data, int depth)
    {
        if (depth > 4)
        {
            return;
        }

        while (data.Length >= 8)
        {
            uint size = BinaryPrimitives.ReadUInt32BigEndian(data);
            uint type = BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
            if (size < 8 || size > data.Length)
            {
                return;
            }

            var payload = data[8..(int)size];
            switch (type)
            {
                case FourCC.Esds:
                    if (payload.Length > 4)
                    {
                        ReadDescriptors(payload[4..], 0);
                    }

                    break;
                case FourCC.Wave or FourCC.Sinf:
                    ReadChildren(payload, depth + 1);
                    break;
                case FourCC.Frma when payload.Length >= 4:
                    OriginalFormat = BinaryPrimitives.ReadUInt32BigEndian(payload);
                    break;
                case FourCC.Schm when payload.Length >= 8:
                    SchemeType = BinaryPrimitives.ReadUInt32BigEndian(payload[4..]);
                    break;
                case FourCC.Adrm:
                    HasAdrm = true;
                    break;
            }

            data = data[(int)size..];
        }
    }

    private void ReadDescriptors(ReadOnlySpan<byte> data, int depth)
    {
        while (data.Length >= 2 && depth < 8)
        {
            byte tag = data[0];
            int pos = 1, length = 0;
            for (int i = 0; i < 4 && pos < data.Length; i++)
            {
                byte b = data[pos++];
                length = (length << 7) | (b & 0x7F);
                if ((b & 0x80) == 0)
                {
                    break;
                }
            }

            if (length > data.Length - pos)
            {
                length = data.Length - pos; // some muxers overstate the last descriptor: read what is there
            }

            var body = data.Slice(pos, length);
            switch (tag)
            {
                case 0x03 when body.Length >= 3:
                    {
                        byte flags = body[2];
                        int skip = 3 + ((flags & 0x80) != 0 ? 2 : 0);
                        if ((flags & 0x40) != 0 && skip < body.Length)
                        {
                            skip += 1 + body[skip];
                        }

                        skip += (flags & 0x20) != 0 ? 2 : 0;
                        if (skip < body.Length)
                        {
                            ReadDescriptors(body[skip..], depth + 1);
                        }

                        break;
                    }

                case 0x04 when body.Length >= 13:
                    ObjectTypeIndication = body[0];
                    AverageBitrate = BinaryPrimitives.ReadUInt32BigEndian(body[9..]);
                    ReadDescriptors(body[13..], depth + 1);
                    break;
                case 0x05:
                    if (AudioSpecificConfig.TryParse(body, out var asc))
                    {
                        Config = asc;
                    }

                    break;
            }

            data = data[(pos + length)..];
        }
    }
}
