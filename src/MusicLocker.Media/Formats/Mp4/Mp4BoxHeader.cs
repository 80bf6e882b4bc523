using System.Buffers.Binary;

namespace MusicLocker.Media.Formats.Mp4;

// ISO/IEC 14496-12 §4.2: size BE32 (1 = a BE64 "largesize" follows the type, 0 = to the end of the file), type;
// 'uuid' adds 16 bytes of extended type.

/// <summary>The header of one box.</summary>
internal readonly struct Mp4BoxHeader
{
    public uint Type { get; init; }

    /// <summary>The whole box, header included; -1 for "to the end of the file".</summary>
    public long Size { get; init; }

    public int HeaderSize { get; init; }

    /// <summary>Reads a header; returns false when more bytes are needed (<paramref name="needed"/> says how many).</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out Mp4BoxHeader header, out int needed)
    {
        header = default;
        needed = 8;
        if (data.Length < 8)
        {
            return false;
        }

        uint size = BinaryPrimitives.ReadUInt32BigEndian(data);
        uint type = BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
        int hs = 8;
        long full = size;
        if (size == 1)
        {
            needed = 16;
            if (data.Length < 16)
            {
                return false;
            }

            ulong large = BinaryPrimitives.ReadUInt64BigEndian(data[8..]);
            full = large > long.MaxValue ? long.MaxValue : (long)large;
            hs = 16;
        }
        else if (size == 0)
        {
            full = -1;
        }

        if (type == 0x75756964)
        {
            hs += 16;
            needed = hs;
            if (data.Length < hs)
            {
                return false;
            }
        }

        header = new Mp4BoxHeader { Type = type, Size = full, HeaderSize = hs };
        return true;
    }
}
