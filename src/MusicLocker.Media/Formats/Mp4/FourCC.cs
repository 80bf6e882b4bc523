namespace MusicLocker.Media.Formats.Mp4;

/// <summary>Box types as big-endian 32-bit values.</summary>
internal static class FourCC
{
    public const uint Ftyp = 0x66747970, Moov = 0x6D6F6F76, Mdat = 0x6D646174, Moof = 0x6D6F6F66, Free = 0x66726565, Skip = 0x736B6970,
        Wide = 0x77696465, Mvhd = 0x6D766864, Trak = 0x7472616B, Tkhd = 0x746B6864, Mdia = 0x6D646961, Mdhd = 0x6D646864,
        Hdlr = 0x68646C72, Minf = 0x6D696E66, Stbl = 0x7374626C, Stsd = 0x73747364, Stts = 0x73747473, Stsc = 0x73747363,
        Stsz = 0x7374737A, Stz2 = 0x73747A32, Stco = 0x7374636F, Co64 = 0x636F3634, Edts = 0x65647473, Elst = 0x656C7374,
        Udta = 0x75647461, Meta = 0x6D657461, Ilst = 0x696C7374, Data = 0x64617461, Mean = 0x6D65616E, Name = 0x6E616D65,
        Covr = 0x636F7672, Soun = 0x736F756E, Mp4a = 0x6D703461, Enca = 0x656E6361, Drms = 0x64726D73, Sinf = 0x73696E66,
        Frma = 0x66726D61, Schm = 0x7363686D, Esds = 0x65736473, Wave = 0x77617665, Adrm = 0x6164726D, Aavd = 0x61617664,
        Cenc = 0x63656E63, Cbcs = 0x63626373, Cens = 0x63656E73, Cbc1 = 0x63626331, Itun = 0x6974756E, Dash = 0x2D2D2D2D,
        Alac = 0x616C6163, Samr = 0x73616D72, Ac3 = 0x61632D33, Ec3 = 0x65632D33, Opus = 0x4F707573, Flac = 0x664C6143,
        Mp3Entry = 0x2E6D7033, Pnot = 0x706E6F74, Vide = 0x76696465,
        Mvex = 0x6D766578, Trex = 0x74726578, Traf = 0x74726166, Tfhd = 0x74666864, Trun = 0x7472756E,
        Mehd = 0x6D656864, Aax = 0x61617820;

    public static string ToText(uint type)
    {
        Span<char> c = stackalloc char[4];
        for (int i = 0; i < 4; i++)
        {
            byte b = (byte)(type >> (24 - (8 * i)));
            c[i] = b == 0xA9 ? '©' : b is >= 0x20 and < 0x7F ? (char)b : '?';
        }

        return new string(c);
    }
}
