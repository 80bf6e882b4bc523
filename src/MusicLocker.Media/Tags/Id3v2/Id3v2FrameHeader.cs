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
        ushort flags = 0;
        if (version == 2)
        {
            size = (data[3] << 16) | (data[4] << 8) | data[5];
        }
        else
        {
            uint raw = BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
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
            Flags = flags,
            HeaderSize = hs,
        };
        return true;
    }
}
