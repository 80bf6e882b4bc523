using System.Buffers.Binary;

namespace MusicLocker.Media.Formats.Mp3;

// ISO/IEC 11172-3 §2.4.2.3, bitrate_index '0000': "free format" — a fixed bitrate outside the table, agreed out of
// band, so no header carries its frame length. Every frame of the stream then has the same length (plus the padding
// slot), found by locating the next header of the stream: a decoder (mpg123, libmad) measures it the same way.

/// <summary>Recognises free-format Layer III streams: measures their frame length from where the next headers are.</summary>
internal static class FreeFormat
{
    /// <summary>
    /// The bits every frame of a free-format stream shares: sync, version, layer, bitrate index (0), sample rate and
    /// channel mode (stricter than a table stream's signature: with no length in the header, only these tell a header
    /// of the stream from a byte pattern inside the audio).
    /// </summary>
    public const uint StreamMask = 0xFFFEFCC0;

    /// <summary>Whether <paramref name="raw"/> is a free-format Layer III header (valid version and sample rate, bitrate index 0).</summary>
    public static bool IsHeader(uint raw) =>
        (raw & 0xFFE00000) == 0xFFE00000 && ((raw >> 19) & 3) != 1 && ((raw >> 17) & 3) == 1 && ((raw >> 12) & 15) == 0 && ((raw >> 10) & 3) != 3;

    public static int SampleRateOf(uint raw)
    {
        int baseRate = ((raw >> 10) & 3) switch { 0 => 44100, 1 => 48000, _ => 32000 };
        return ((raw >> 19) & 3) switch { 3 => baseRate, 2 => baseRate / 2, _ => baseRate / 4 };
    }

    /// <summary>
    /// The unpadded frame lengths a free-format stream of this header may have: from the side information (no shorter
    /// frame can hold one) or 8 kbit/s, to 640 kbit/s (MPEG-1; 320 for MPEG-2/2.5): the highest free bitrates encoders
    /// write and decoders accept.
    /// </summary>
    public static (int Min, int Max) LengthBounds(uint raw)
    {
        bool v1 = ((raw >> 19) & 3) == 3;
        int coefficient = v1 ? 144 : 72;
        int rate = SampleRateOf(raw);
        bool mono = ((raw >> 6) & 3) == 3;
        int sideInfoEnd = Mp3FrameHeader.Size + ((raw >> 16 & 1) == 0 ? 2 : 0) + (v1 ? (mono ? 17 : 32) : (mono ? 9 : 17));
        int min = Math.Max(sideInfoEnd + 1, coefficient * 8000 / rate);
        int max = coefficient * (v1 ? 640_000 : 320_000) / rate;
        return (min, max);
    }

    /// <summary>How many bytes from a free-format header <see cref="Measure"/> wants to see before it decides (unless at the end).</summary>
    public static int Window(uint raw, int confirmFrames) => ((confirmFrames + 2) * (LengthBounds(raw).Max + 1)) + Mp3FrameHeader.Size;

    /// <summary>
    /// Measures the unpadded frame length of the free-format stream whose header is at <paramref name="at"/>: the first
    /// later header of the same stream after which <paramref name="confirmFrames"/> more frames of that length follow
    /// (a byte pattern inside the audio that looks like a header is passed over: the chain after it breaks).
    /// Returns 1 (measured: <paramref name="unpaddedLength"/>), 0 (not a stream), or -1 (<paramref name="needed"/> bytes
    /// from <paramref name="at"/> are needed).
    /// </summary>
    public static int Measure(ReadOnlySpan<byte> data, int at, int confirmFrames, bool final, out int unpaddedLength, out int needed)
    {
        unpaddedLength = 0;
        needed = 0;
        uint first = BinaryPrimitives.ReadUInt32BigEndian(data[at..]);
        int window = Window(first, confirmFrames);
        if (!final && data.Length - at < window)
        {
            needed = window;
            return -1;
        }

        var (min, max) = LengthBounds(first);
        uint signature = first & StreamMask;
        int pad = (int)((first >> 9) & 1);
        for (int length = min; length <= max; length++)
        {
            int next = at + length + pad;
            if (next > data.Length - Mp3FrameHeader.Size)
            {
                break;
            }

            // Jump to the next 0xFF: most candidate lengths end in audio bytes.
            int ff = data.Slice(next, Math.Min(data.Length - next, max + pad + at - next + 1)).IndexOf((byte)0xFF);
            if (ff < 0)
            {
                break;
            }

            length += ff;
            next += ff;
            if (next > data.Length - Mp3FrameHeader.Size || (BinaryPrimitives.ReadUInt32BigEndian(data[next..]) & StreamMask) != signature)
            {
                continue;
            }

            if (Chain(data, next, length, signature, confirmFrames, final))
            {
                unpaddedLength = length;
                return 1;
            }
        }

        return 0;
    }

    /// <summary>Whether <paramref name="count"/> frames of this length follow the header at <paramref name="at"/> (or the data or a tag ends the stream).</summary>
    private static bool Chain(ReadOnlySpan<byte> data, int at, int unpaddedLength, uint signature, int count, bool final)
    {
        int pos = at;
        for (int k = 0; k < count; k++)
        {
            if (pos > data.Length - Mp3FrameHeader.Size)
            {
                var rest = data[Math.Min(pos, data.Length)..];
                return pos <= data.Length && ((final && rest.IsEmpty) || FrameWalker.IsTagStart(rest));
            }

            uint raw = BinaryPrimitives.ReadUInt32BigEndian(data[pos..]);
            if ((raw & StreamMask) != signature)
            {
                return FrameWalker.IsTagStart(data[pos..]);
            }

            pos += unpaddedLength + (int)((raw >> 9) & 1);
        }

        return true;
    }
}
