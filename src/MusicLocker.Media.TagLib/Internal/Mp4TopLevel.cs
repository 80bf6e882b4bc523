using System.Buffers.Binary;
using System.Text;

namespace MusicLocker.Media.TagLib.Internal;

/// <summary>A top-level MP4 box: its type and where it is (header included).</summary>
internal sealed record Mp4Box(string Type, long Offset, long Size)
{
    public static string TypeText(ReadOnlySpan<byte> type) => Encoding.Latin1.GetString(type);
}

/// <summary>Lists the top-level boxes of an MP4 by reading only their headers.</summary>
internal static class Mp4TopLevel
{
    public static async Task<List<Mp4Box>> ReadAsync(IRandomAccessSource source, CancellationToken cancellationToken)
    {
        var boxes = new List<Mp4Box>();
        var header = new byte[16];
        long pos = 0;
        long length = source.Length;
        while (pos < length)
        {
            if (boxes.Count > 10_000)
            {
                throw new MediaFormatException(MediaErrorCode.LimitExceeded, "The MP4 has more than 10,000 top-level boxes", pos);
            }

            int n = await source.ReadAtAsync(pos, header, cancellationToken).ConfigureAwait(false);
            if (n < 8)
            {
                // Trailing bytes that are not a box: copied as they are.
                boxes.Add(new Mp4Box("????", pos, length - pos));
                break;
            }

            long size = BinaryPrimitives.ReadUInt32BigEndian(header);
            if (size == 1 && n >= 16)
            {
                size = (long)Math.Min(BinaryPrimitives.ReadUInt64BigEndian(header.AsSpan(8)), long.MaxValue);
            }
            else if (size == 0)
            {
                size = length - pos;
            }

            if (size < 8 || size > length - pos)
            {
                throw new MediaFormatException(MediaErrorCode.Corrupt, $"The top-level box at {pos} has size {size}, outside the file: probe it again", pos);
            }

            boxes.Add(new Mp4Box(Mp4Box.TypeText(header.AsSpan(4, 4)), pos, size));
            pos += size;
        }

        return boxes;
    }
}
