using System.Buffers.Binary;

namespace MusicLocker.Media.Formats.Mp3;

// Xing/Info header (Xing Technology's VBR header, "Info" for CBR as LAME writes it), placed right after the side
// information of the first frame: "Xing"|"Info", flags (BE32: 1 frames, 2 bytes, 4 TOC, 8 quality), then the fields
// the flags name, in that order. LAME's extension follows at +120 when all four fields are present.

/// <summary>The Xing/Info header of a first frame, and the LAME tag after it when there is one.</summary>
internal readonly struct XingHeader
{
    public bool IsInfo { get; init; }

    /// <summary>Audio frames (the header's own frame excluded); 0 when absent.</summary>
    public uint Frames { get; init; }

    public uint Bytes { get; init; }

    public LameTag? Lame { get; init; }

    /// <summary>Looks for a Xing/Info header in a whole first frame.</summary>
    public static bool TryParse(ReadOnlySpan<byte> frame, in Mp3FrameHeader header, out XingHeader xing)
    {
        xing = default;
        int at = header.SideInfoEnd;

        // A CRC-protected first frame: LAME writes the tag where it would be without the 2 CRC bytes, and decoders (ffmpeg,
        // LAME's own) look there; the position after the CRC is tried too.
        if (header.HasCrc && IsTag(frame, at - 2))
        {
            at -= 2;
        }
        else if (!IsTag(frame, at))
        {
            return false;
        }

        bool info = frame.Slice(at, 4).SequenceEqual("Info"u8);

        uint flags = BinaryPrimitives.ReadUInt32BigEndian(frame[(at + 4)..]);
        int pos = at + 8;
        uint frames = 0, bytes = 0;
        if ((flags & 1) != 0)
        {
            if (frame.Length < pos + 4)
            {
                return false;
            }

            frames = BinaryPrimitives.ReadUInt32BigEndian(frame[pos..]);
            pos += 4;
        }

        if ((flags & 2) != 0)
        {
            if (frame.Length < pos + 4)
            {
                return false;
            }

            bytes = BinaryPrimitives.ReadUInt32BigEndian(frame[pos..]);
            pos += 4;
        }

        if ((flags & 4) != 0)
        {
            pos += 100;
        }

        if ((flags & 8) != 0)
        {
            pos += 4;
        }

        LameTag? lame = null;
        if (pos <= frame.Length && LameTag.TryParse(frame[pos..], out var l))
        {
            lame = l;
        }

        xing = new XingHeader { IsInfo = info, Frames = frames, Bytes = bytes, Lame = lame };
        return true;
    }

    /// <summary>Whether "Xing" or "Info" and its flags fit at <paramref name="at"/>.</summary>
    private static bool IsTag(ReadOnlySpan<byte> frame, int at) =>
        frame.Length >= at + 8 && (frame.Slice(at, 4).SequenceEqual("Info"u8) || frame.Slice(at, 4).SequenceEqual("Xing"u8));
}

/// <summary>LAME's extension of the Xing header: encoder version, and encoder delay and padding for gapless playback.</summary>
internal readonly struct LameTag
{
    public const int Size = 36;

    public string Encoder { get; init; }

    public int Delay { get; init; }

    public int Padding { get; init; }

    // Layout from the start of the tag: version string 9, revision/VBR method 1, lowpass 1, peak 4, radio gain 2,
    // audiophile gain 2, flags 1, ABR bitrate 1, delay 12 bits + padding 12 bits, misc 1, MP3 gain 1, preset 2,
    // music length 4, music CRC 2, tag CRC 2.
    public static bool TryParse(ReadOnlySpan<byte> data, out LameTag tag)
    {
        tag = default;
        if (data.Length < Size)
        {
            return false;
        }

        var version = data[..9];
        bool lame = version.StartsWith("LAME"u8) || version.StartsWith("Lavf"u8) || version.StartsWith("Lavc"u8) || version.StartsWith("L3.99"u8);
        if (!lame)
        {
            return false;
        }

        int end = version.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E);
        string encoder = System.Text.Encoding.ASCII.GetString(end < 0 ? version : version[..end]).Trim();
        int delay = (data[21] << 4) | (data[22] >> 4);
        int padding = ((data[22] & 0x0F) << 8) | data[23];
        tag = new LameTag { Encoder = encoder, Delay = delay, Padding = padding };
        return true;
    }
}
