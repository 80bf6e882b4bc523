using System.Buffers.Binary;
using System.Text;

namespace MusicLocker.Media.Tags.Ape;

// APEv1/APEv2 (wiki.hydrogenaud.io "APE key", "APEv2 specification"): a 32-byte footer "APETAGEX", version LE32
// (1000/2000), tag size LE32 (items + footer, header excluded), item count LE32, flags LE32 (bit 31: has header),
// 8 reserved; an optional identical header before the items. Item: value size LE32, flags LE32 (bits 1-2: 0 text
// UTF-8, 1 binary, 2 external), key (ASCII, NUL-terminated), value.

/// <summary>The footer of an APE tag.</summary>
internal readonly struct ApeFooter
{
    public const int Size = 32;

    public int Version { get; init; }

    /// <summary>Items + footer.</summary>
    public uint TagSize { get; init; }

    public uint ItemCount { get; init; }

    public bool HasHeader { get; init; }

    /// <summary>Header + items + footer.</summary>
    public long TotalSize => TagSize + (HasHeader ? Size : 0L);

    public static bool TryParse(ReadOnlySpan<byte> data, out ApeFooter footer)
    {
        footer = default;
        if (data.Length < Size || !data.StartsWith("APETAGEX"u8))
        {
            return false;
        }

        uint size = BinaryPrimitives.ReadUInt32LittleEndian(data[12..]);
        if (size < Size)
        {
            return false;
        }

        footer = new ApeFooter
        {
            Version = (int)BinaryPrimitives.ReadUInt32LittleEndian(data[8..]),
            TagSize = size,
            ItemCount = BinaryPrimitives.ReadUInt32LittleEndian(data[16..]),
            HasHeader = (BinaryPrimitives.ReadUInt32LittleEndian(data[20..]) & 0x80000000) != 0,
        };
        return true;
    }
}

/// <summary>Reads the items of an APE tag.</summary>
internal static class ApeTag
{
    /// <summary>Reads the items in <paramref name="items"/> (the bytes between header and footer), found at <paramref name="itemsOffset"/>.</summary>
    public static void Read(ReadOnlySpan<byte> items, long itemsOffset, in ApeFooter footer, TagCollector tags, MediaProbeOptions options)
    {
        var values = tags.Begin(TagFormat.Ape);
        int pos = 0;
        for (uint i = 0; i < footer.ItemCount && i < 10_000 && pos + 9 <= items.Length; i++)
        {
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(items[pos..]);
            uint flags = BinaryPrimitives.ReadUInt32LittleEndian(items[(pos + 4)..]);
            int keyStart = pos + 8;
            int keyEnd = items[keyStart..].IndexOf((byte)0);
            if (keyEnd < 1 || keyEnd > 255)
            {
                tags.Warn(itemsOffset + pos, "APE tag item has no valid key: the rest of the tag was skipped");
                return;
            }

            string key = Encoding.ASCII.GetString(items.Slice(keyStart, keyEnd));
            int valueStart = keyStart + keyEnd + 1;
            if (size > (uint)(items.Length - valueStart))
            {
                tags.Warn(itemsOffset + pos, $"APE tag item '{key}' runs past the end of the tag");
                return;
            }

            var value = items.Slice(valueStart, (int)size);
            int kind = (int)((flags >> 1) & 3);
            if (kind == 1)
            {
                ReadBinary(key, value, itemsOffset + valueStart, tags);
            }
            else if (size > options.MaxTagFrameSize)
            {
                tags.Warn(itemsOffset + pos, $"APE tag item '{key}' is larger than MaxTagFrameSize: skipped");
            }
            else
            {
                string text = Encoding.UTF8.GetString(value).Replace('\0', ';');
                tags.Raw(TagFormat.Ape, key, text);
                Apply(key, text, values);
            }

            pos = valueStart + (int)size;
        }
    }

    private static void ReadBinary(string key, ReadOnlySpan<byte> value, long valueOffset, TagCollector tags)
    {
        tags.Raw(TagFormat.Ape, key, $"[binary, {value.Length} bytes]");
        if (!key.StartsWith("Cover Art", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        // "Cover Art (Front)": a file name, NUL, then the image.
        int nul = value.IndexOf((byte)0);
        int start = nul < 0 ? 0 : nul + 1;
        var image = value[start..];
        tags.AddPicture(new CoverArtInfo
        {
            MimeType = TagCollector.SniffMime(image),
            Offset = valueOffset + start,
            Length = image.Length,
            PictureType = key.Contains("Back", StringComparison.OrdinalIgnoreCase) ? 4 : key.Contains("Front", StringComparison.OrdinalIgnoreCase) ? 3 : 0,
            Description = nul > 0 ? TagCollector.Clean(Encoding.UTF8.GetString(value[..nul])) : null,
            Source = TagFormat.Ape,
        });
    }

    private static void Apply(string key, string text, TagValues values)
    {
        string? v = TagCollector.Clean(text);
        switch (key.ToUpperInvariant())
        {
            case "TITLE": values.Title ??= v; break;
            case "ARTIST": values.Artist ??= v; break;
            case "ALBUM ARTIST" or "ALBUMARTIST": values.AlbumArtist ??= v; break;
            case "ALBUM": values.Album ??= v; break;
            case "TRACK":
                TagCollector.ParsePair(v, out var tn, out var tc);
                values.TrackNumber ??= tn;
                values.TrackCount ??= tc;
                break;
            case "DISC":
                TagCollector.ParsePair(v, out var dn, out var dc);
                values.DiscNumber ??= dn;
                values.DiscCount ??= dc;
                break;
            case "YEAR": values.Year ??= TagCollector.ParseYear(v); break;
            case "GENRE": values.Genre ??= TagCollector.Genre(v); break;
            case "COMMENT": values.Comment ??= v; break;
            case "COMPILATION": values.Compilation ??= TagCollector.ParseBool(v); break;
        }
    }
}
