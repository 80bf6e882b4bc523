using System.Buffers.Binary;

namespace MusicLocker.Media.Tags.Id3v2;

// Frame headers: ID3v2.2 §3.2 (id 3, size 3 bytes BE); ID3v2.3 §3.3 (id 4, size 4 bytes BE, flags 2);
// ID3v2.4 §4.1 (id 4, size 28-bit syncsafe, flags 2). iTunes wrote 2.4 tags with plain sizes; a size byte with its
// top bit set cannot be syncsafe and is read as plain.

/// <summary>The header of one ID3v2 frame.</summary>
internal readonly struct Id3v2FrameHeader
{
    public string Id { get; init; }

    public int BodySize { get; init; }

    public ushort Flags { get; init; }

    public int HeaderSize { get; init; }

    public static int HeaderSizeFor(int version) => version == 2 ? 6 : 10;

    /// <summary>The size bytes read as a plain 32-bit integer (what iTunes wrote into some ID3v2.4 tags).</summary>
    public int PlainSize { get; init; }

    /// <summary>
    /// For an ID3v2.4 frame whose size reads differently as syncsafe and as plain: which one lands on the next frame,
    /// padding or the end of the tag (<paramref name="fromFrame"/> starts at this frame; <paramref name="room"/> is the
    /// bytes left in the tag from there). Returns the size to use, or -1 when more bytes are needed to tell.
    /// </summary>
    public int ResolveV24Size(ReadOnlySpan<byte> fromFrame, long room)
    {
        if (PlainSize == BodySize || PlainSize < 0)
        {
            return BodySize;
        }

        long farthest = HeaderSize + (long)Math.Max(PlainSize, BodySize) + HeaderSize;
        if (fromFrame.Length < Math.Min(farthest, room))
        {
            return -1;
        }

        return Lands(fromFrame, room, HeaderSize, BodySize) || !Lands(fromFrame, room, HeaderSize, PlainSize) ? BodySize : PlainSize;
    }

    private static bool Lands(ReadOnlySpan<byte> fromFrame, long room, int headerSize, int size)
    {
        long next = headerSize + (long)size;
        if (next == room || (next < room && next < fromFrame.Length && fromFrame[(int)next] == 0))
        {
            return true;
        }

        return next + headerSize <= fromFrame.Length && TryParse(fromFrame[(int)next..], 4, out _);
    }

    /// <summary>Reads a frame header; false at padding or at anything that is not a frame id.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, int version, out Id3v2FrameHeader header)
    {
        header = default;
        int hs = HeaderSizeFor(version);
        if (data.Length < hs)
        {
            return false;
        }

        int idLength = version == 2 ? 3 : 4;
        for (int i = 0; i < idLength; i++)
        {
            byte c = data[i];
            if (!((c >= (byte)'A' && c <= (byte)'Z') || (c >= (byte)'0' && c <= (byte)'9')))
            {
                return false;
            }
        }

        int size;
        int plain = 0;
        ushort flags = 0;
        if (version == 2)
        {
            size = (data[3] << 16) | (data[4] << 8) | data[5];
            plain = size;
        }
        else
        {
            uint raw = BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
            plain = raw > int.MaxValue ? -1 : (int)raw;
            if (version == 4 && (raw & 0x80808080) == 0)
            {
                size = Id3v2Header.Syncsafe(data[4..]);
            }
            else
            {
                if (raw > int.MaxValue)
                {
                    return false;
                }

                size = (int)raw;
            }

            flags = BinaryPrimitives.ReadUInt16BigEndian(data[8..]);
        }

        header = new Id3v2FrameHeader
        {
            Id = System.Text.Encoding.ASCII.GetString(data[..idLength]),
            BodySize = size,
            PlainSize = version == 4 ? plain : size,
            Flags = flags,
            HeaderSize = hs,
        };
        return true;
    }
}
