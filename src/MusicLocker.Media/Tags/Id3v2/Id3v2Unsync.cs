namespace MusicLocker.Media.Tags.Id3v2;

// ID3v2.4 §6.1 (2.3 §5): unsynchronisation inserts 0x00 after every 0xFF that is followed by 0xE0+ or 0x00;
// decoding drops every 0x00 that follows 0xFF.

/// <summary>Removes ID3v2 unsynchronisation.</summary>
internal static class Id3v2Unsync
{
    /// <summary>Decodes <paramref name="raw"/> into <paramref name="destination"/> (at least as long) and returns the decoded length.</summary>
    public static int Decode(ReadOnlySpan<byte> raw, Span<byte> destination)
    {
        int n = 0;
        bool afterFF = false;
        foreach (byte b in raw)
        {
            if (afterFF && b == 0)
            {
                afterFF = false;
                continue;
            }

            destination[n++] = b;
            afterFF = b == 0xFF;
        }

        return n;
    }

    /// <summary>The index in <paramref name="raw"/> of the byte that decodes to index <paramref name="decodedIndex"/>.</summary>
    public static int RawIndexOf(ReadOnlySpan<byte> raw, int decodedIndex)
    {
        int d = 0;
        bool afterFF = false;
        for (int i = 0; i < raw.Length; i++)
        {
            byte b = raw[i];
            if (afterFF && b == 0)
            {
                afterFF = false;
                continue;
            }

            if (d == decodedIndex)
            {
                return i;
            }

            d++;
            afterFF = b == 0xFF;
        }

        return raw.Length;
    }
}
