using System.Text;

namespace MusicLocker.Media.Tags.Id3v2;

// ID3v2.4 §4: text encodings 0 ISO-8859-1, 1 UTF-16 with BOM, 2 UTF-16BE without BOM, 3 UTF-8; strings end with one
// (or, for UTF-16, two) NUL bytes; 2.4 text frames hold several values separated by those terminators.

/// <summary>Decodes ID3v2 text.</summary>
internal static class Id3v2Text
{
    public static int TerminatorSize(byte encoding) => encoding is 1 or 2 ? 2 : 1;

    /// <summary>Splits off the first NUL-terminated string; <paramref name="rest"/> is what follows its terminator (empty when none).</summary>
    public static string ReadTerminated(byte encoding, ReadOnlySpan<byte> data, out ReadOnlySpan<byte> rest, out bool terminated)
    {
        int end = FindTerminator(encoding, data);
        terminated = end >= 0;
        if (end < 0)
        {
            rest = default;
            return Decode(encoding, data);
        }

        rest = data[(end + TerminatorSize(encoding))..];
        return Decode(encoding, data[..end]);
    }

    /// <summary>
    /// The values of a text frame body (after its encoding byte). Only ID3v2.4 (<paramref name="version"/> 4) separates
    /// several values with the terminator; in ID3v2.2/2.3 the text ends at the first one, whatever follows it.
    /// </summary>
    public static List<string> ReadValues(int version, byte encoding, ReadOnlySpan<byte> data)
    {
        var values = new List<string>();
        int most = version >= 4 ? 64 : 1;
        while (!data.IsEmpty && values.Count < most)
        {
            string v = ReadTerminated(encoding, data, out var rest, out bool terminated);
            if (TagCollector.Clean(v) is { } c)
            {
                values.Add(c);
            }

            if (!terminated || version < 4)
            {
                break;
            }

            data = rest;
        }

        return values;
    }

    public static string Decode(byte encoding, ReadOnlySpan<byte> data) => encoding switch
    {
        1 => DecodeUtf16WithBom(data),
        2 => Encoding.BigEndianUnicode.GetString(data[..(data.Length & ~1)]),
        3 => Encoding.UTF8.GetString(data),
        _ => Encoding.Latin1.GetString(data),
    };

    private static string DecodeUtf16WithBom(ReadOnlySpan<byte> data)
    {
        if (data.Length >= 2 && data[0] == 0xFE && data[1] == 0xFF)
        {
            data = data[2..];
            return Encoding.BigEndianUnicode.GetString(data[..(data.Length & ~1)]);
        }

        if (data.Length >= 2 && data[0] == 0xFF && data[1] == 0xFE)
        {
            data = data[2..];
        }

        // No BOM: little-endian, as the writers that omit it (Windows) meant.
        return Encoding.Unicode.GetString(data[..(data.Length & ~1)]);
    }

    private static int FindTerminator(byte encoding, ReadOnlySpan<byte> data)
    {
        if (encoding is 1 or 2)
        {
            for (int i = 0; i + 1 < data.Length; i += 2)
            {
                if (data[i] == 0 && data[i + 1] == 0)
                {
                    return i;
                }
            }

            return -1;
        }

        return data.IndexOf((byte)0);
    }
}
