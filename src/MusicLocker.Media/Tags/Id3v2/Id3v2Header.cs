namespace MusicLocker.Media.Tags.Id3v2;

// ID3v2.2 / 2.3 / 2.4 (id3.org informal standards), §3.1 of each: "ID3" (or "3DI" for a 2.4 footer), major version,
// revision, flags (0x80 unsynchronisation, 0x40 extended header (2.2: compression), 0x20 experimental, 0x10 footer),
// size as a 28-bit syncsafe integer excluding the header (and footer).

/// <summary>The 10-byte header (or footer) of an ID3v2 tag.</summary>
internal readonly struct Id3v2Header
{
    public const int Size = 10;

    public byte Version { get; init; }

    public byte Revision { get; init; }

    public byte Flags { get; init; }

    /// <summary>The size of the tag after its header, footer excluded.</summary>
    public int BodySize { get; init; }

    public bool IsFooter { get; init; }

    public bool Unsynchronised => (Flags & 0x80) != 0;

    public bool HasExtendedHeader => Version >= 3 && (Flags & 0x40) != 0;

    /// <summary>ID3v2.2's compression flag: the spec defines no compression scheme, so such a tag's frames cannot be read.</summary>
    public bool IsV22Compressed => Version == 2 && (Flags & 0x40) != 0;

    public bool HasFooter => Version == 4 && (Flags & 0x10) != 0;

    /// <summary>Header + body + footer.</summary>
    public long TotalSize => Size + (long)BodySize + (HasFooter ? Size : 0);

    public TagFormat Format => Version switch { 2 => TagFormat.Id3v22, 3 => TagFormat.Id3v23, _ => TagFormat.Id3v24 };

    public static bool TryParse(ReadOnlySpan<byte> data, out Id3v2Header header) => TryParse(data, "ID3"u8, out header);

    public static bool TryParseFooter(ReadOnlySpan<byte> data, out Id3v2Header header) => TryParse(data, "3DI"u8, out header);

    private static bool TryParse(ReadOnlySpan<byte> data, ReadOnlySpan<byte> magic, out Id3v2Header header)
    {
        header = default;
        if (data.Length < Size || !data.StartsWith(magic) || data[3] is < 2 or > 4 || data[4] == 0xFF
            || ((data[6] | data[7] | data[8] | data[9]) & 0x80) != 0)
        {
            return false;
        }

        header = new Id3v2Header
        {
            Version = data[3],
            Revision = data[4],
            Flags = data[5],
            BodySize = Syncsafe(data[6..]),
            IsFooter = magic[0] == (byte)'3',
        };
        return true;
    }

    /// <summary>
    /// The bytes the extended header at the start of <paramref name="body"/> takes, or -1 when the flag is set but no
    /// well-formed extended header is there (writers set the flag and then write frames at once): ID3v2.3 §3.2 says its
    /// size (the 4 bytes excluded) is 6 or 10; ID3v2.4 §3.2 says its syncsafe size (itself included) is at least 6 and
    /// byte 4 (the number of flag bytes) is 1.
    /// </summary>
    public static int ExtendedHeaderSize(ReadOnlySpan<byte> body, byte version, int bodySize)
    {
        if (body.Length < 6)
        {
            return -1;
        }

        if (version == 3)
        {
            uint size = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(body);
            return size is 6 or 10 && size + 4 <= bodySize ? (int)size + 4 : -1;
        }

        if (((body[0] | body[1] | body[2] | body[3]) & 0x80) != 0)
        {
            return -1;
        }

        int ext = Syncsafe(body);
        return ext >= 6 && ext <= bodySize && body[4] == 1 ? ext : -1;
    }

    public static int Syncsafe(ReadOnlySpan<byte> b) => (b[0] << 21) | (b[1] << 14) | (b[2] << 7) | b[3];
}
