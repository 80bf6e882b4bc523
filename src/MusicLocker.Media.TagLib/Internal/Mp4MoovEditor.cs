using System.Buffers.Binary;

namespace MusicLocker.Media.TagLib.Internal;

// ISO/IEC 14496-12: moov > trak > mdia > minf > stbl > stco (32-bit) / co64 (64-bit) chunk offsets, absolute in the file.

/// <summary>Replaces the <c>udta</c> of a <c>moov</c> box held in memory and moves the chunk offsets that point past it.</summary>
internal static class Mp4MoovEditor
{
    /// <summary>The <c>moov/udta</c> box (header included) of a whole file held in memory, or null.</summary>
    public static byte[]? FindUdta(ReadOnlySpan<byte> file)
    {
        foreach (var (type, start, size, header) in Children(file, 0, file.Length))
        {
            if (type == "moov")
            {
                foreach (var (t, s, z, _) in Children(file, start + header, start + size))
                {
                    if (t == "udta")
                    {
                        return file.Slice((int)s, (int)z).ToArray();
                    }
                }
            }
        }

        return null;
    }

    /// <summary>
    /// The <paramref name="moov"/> box with its <c>udta</c> children replaced by <paramref name="udta"/> (appended when it
    /// had none), and every chunk offset at or past <paramref name="oldMoovEnd"/> moved by the change in size.
    /// </summary>
    public static byte[] ReplaceUdta(byte[] moov, byte[] udta, long oldMoovEnd)
    {
        int headerSize = BinaryPrimitives.ReadUInt32BigEndian(moov) == 1 ? 16 : 8;
        var body = new List<byte>(moov.Length + udta.Length);
        bool placed = false;
        foreach (var (type, start, size, _) in Children(moov, headerSize, moov.Length))
        {
            if (type == "udta")
            {
                if (!placed)
                {
                    body.AddRange(udta);
                    placed = true;
                }

                continue;
            }

            body.AddRange(moov.AsSpan((int)start, (int)size));
        }

        if (!placed)
        {
            body.AddRange(udta);
        }

        long newSize = 8L + body.Count;
        if (newSize > uint.MaxValue)
        {
            throw new MediaFormatException(MediaErrorCode.LimitExceeded, "The edited 'moov' box would be larger than 4 GiB");
        }

        var result = new byte[newSize];
        BinaryPrimitives.WriteUInt32BigEndian(result, (uint)newSize);
        "moov"u8.CopyTo(result.AsSpan(4));
        body.CopyTo(result, 8);
        long delta = newSize - moov.Length;
        if (delta != 0)
        {
            ShiftChunkOffsets(result, 8, result.Length, oldMoovEnd, delta, 0);
        }

        return result;
    }

    private static void ShiftChunkOffsets(byte[] data, long from, long to, long threshold, long delta, int depth)
    {
        if (depth > 8)
        {
            return;
        }

        foreach (var (type, start, size, header) in Children(data, from, to))
        {
            long payload = start + header;
            switch (type)
            {
                case "trak" or "mdia" or "minf" or "stbl":
                    ShiftChunkOffsets(data, payload, start + size, threshold, delta, depth + 1);
                    break;
                case "stco" or "co64":
                    {
                        bool wide = type == "co64";
                        int entrySize = wide ? 8 : 4;
                        long count = Math.Min(BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan((int)payload + 4)), (start + size - payload - 8) / entrySize);
                        for (long i = 0; i < count; i++)
                        {
                            var at = data.AsSpan((int)(payload + 8 + (i * entrySize)));
                            long offset = wide ? (long)BinaryPrimitives.ReadUInt64BigEndian(at) : BinaryPrimitives.ReadUInt32BigEndian(at);
                            if (offset < threshold)
                            {
                                continue;
                            }

                            long moved = offset + delta;
                            if (wide)
                            {
                                BinaryPrimitives.WriteUInt64BigEndian(at, (ulong)moved);
                            }
                            else if (moved is < 0 or > uint.MaxValue)
                            {
                                throw new MediaFormatException(MediaErrorCode.LimitExceeded, "A 32-bit chunk offset ('stco') would overflow after the edit");
                            }
                            else
                            {
                                BinaryPrimitives.WriteUInt32BigEndian(at, (uint)moved);
                            }
                        }

                        break;
                    }
            }
        }
    }

    /// <summary>The child boxes in <paramref name="data"/>[<paramref name="from"/>..<paramref name="to"/>): type, start, size, header size.</summary>
    private static List<(string Type, long Start, long Size, int Header)> Children(ReadOnlySpan<byte> data, long from, long to)
    {
        var list = new List<(string, long, long, int)>();
        long pos = from;
        while (pos + 8 <= to)
        {
            long size = BinaryPrimitives.ReadUInt32BigEndian(data[(int)pos..]);
            int header = 8;
            if (size == 1 && pos + 16 <= to)
            {
                size = (long)Math.Min(BinaryPrimitives.ReadUInt64BigEndian(data[((int)pos + 8)..]), long.MaxValue);
                header = 16;
            }
            else if (size == 0)
            {
                size = to - pos;
            }

            if (size < header || size > to - pos)
            {
                throw new MediaFormatException(MediaErrorCode.Corrupt, $"An MP4 box at {pos} inside 'moov' has size {size}, outside its parent", pos);
            }

            list.Add((Mp4Box.TypeText(data.Slice((int)pos + 4, 4)), pos, size, header));
            pos += size;
        }

        return list;
    }
}
