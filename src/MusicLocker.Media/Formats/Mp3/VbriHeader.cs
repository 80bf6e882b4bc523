using System.Buffers.Binary;

namespace MusicLocker.Media.Formats.Mp3;

// Fraunhofer VBRI header: always 32 bytes after the 4-byte frame header. "VBRI", version 2, delay 2, quality 2,
// bytes 4, frames 4, then the TOC description (entries 2, scale 2, entry size 2, frames per entry 2) and the TOC.

/// <summary>The VBRI header of a first frame (Fraunhofer encoders).</summary>
internal readonly struct VbriHeader
{
    public const int Offset = 36;

    public uint Frames { get; init; }

    public uint Bytes { get; init; }

    public int Delay { get; init; }

    public static bool TryParse(ReadOnlySpan<byte> frame, out VbriHeader vbri)
    {
        vbri = default;
        if (frame.Length < Offset + 18 || !frame.Slice(Offset, 4).SequenceEqual("VBRI"u8))
        {
            return false;
        }

        vbri = new VbriHeader
        {
            Delay = BinaryPrimitives.ReadUInt16BigEndian(frame[(Offset + 6)..]),
            Bytes = BinaryPrimitives.ReadUInt32BigEndian(frame[(Offset + 10)..]),
            Frames = BinaryPrimitives.ReadUInt32BigEndian(frame[(Offset + 14)..]),
        };
        return true;
    }
}
