using System.Globalization;

namespace MusicLocker.Media.Tags.Id3v2;

/// <summary>Where a picture frame's image starts (<c>DataStart</c>: index in the frame body as stored): everything but its offset in the file.</summary>
internal readonly record struct PictureRef(string Mime, int PictureType, string? Description, int DataStart, bool Unsynchronised);

/// <summary>Decodes the body of one ID3v2 frame into raw fields, normalised values and picture references.</summary>
internal static class Id3v2FrameDecoder
{
    /// <summary>The most bytes of a picture frame read to find where its image starts (MIME type and description).</summary>
    public const int PicturePrefixSize = 8 * 1024;

    public static bool IsPicture(string id) => id is "APIC" or "PIC";

    /// <summary>
    /// Decodes a frame. <paramref name="body"/> is the whole body, or (for a picture frame) at least its first
    /// <see cref="PicturePrefixSize"/> bytes. Returns the picture reference of a picture frame.
    /// </summary>
    public static PictureRef? Decode(int version, in Id3v2FrameHeader header, ReadOnlySpan<byte> body, TagCollector tags, TagValues values, long frameOffset)
    {
        var format = version switch { 2 => TagFormat.Id3v22, 3 => TagFormat.Id3v23, _ => TagFormat.Id3v24 };
        string id = version == 2 ? MapV22(header.Id) : header.Id;
        int prefix = 0;
        bool compressed = false, encrypted = false, unsync = false;
        if (version == 3)
        {
            compressed = (header.Flags & 0x0080) != 0;
            encrypted = (header.Flags & 0x0040) != 0;
            prefix += (compressed ? 4 : 0) + (encrypted ? 1 : 0) + ((header.Flags & 0x0020) != 0 ? 1 : 0);
        }
        else if (version == 4)
        {
            compressed = (header.Flags & 0x0008) != 0;
            encrypted = (header.Flags & 0x0004) != 0;
            unsync = (header.Flags & 0x0002) != 0;
            prefix += ((header.Flags & 0x0040) != 0 ? 1 : 0) + (encrypted ? 1 : 0) + ((header.Flags & 0x0001) != 0 ? 4 : 0);
        }

        if (prefix > body.Length)
        {
            tags.Warn(frameOffset, $"ID3v2 frame {id} is shorter than its flags require");
            return null;
        }

        if (compressed || encrypted)
        {
            tags.Raw(format, id, compressed ? "[compressed frame, not decoded]" : "[encrypted frame, not decoded]");
            return null;
        }

        var raw = body[prefix..];
        ReadOnlySpan<byte> payload = raw;
        if (unsync)
        {
            var decoded = new byte[raw.Length];
            payload = decoded.AsSpan(0, Id3v2Unsync.Decode(raw, decoded));
        }

        if (payload.IsEmpty)
        {
            return null;
        }

        if (IsPicture(id))
        {
            var pic = DecodePicture(version, payload, tags, format, frameOffset);
            if (pic is not { } p)
            {
                return null;
            }

            int rawStart = unsync ? Id3v2Unsync.RawIndexOf(raw, p.DataStart) : p.DataStart;
            return p with { DataStart = prefix + rawStart, Unsynchronised = unsync };
        }

        if (id == "TXXX")
        {
            byte enc = payload[0];
            string desc = Id3v2Text.ReadTerminated(enc, payload[1..], out var rest, out _);
            string value = string.Join("; ", Id3v2Text.ReadValues(version, enc, rest));
            tags.Raw(format, "TXXX:" + desc, value);
            switch (desc.ToUpperInvariant())
            {
                case "ALBUMARTIST" or "ALBUM ARTIST":
                    values.AlbumArtist ??= TagCollector.Clean(value);
                    break;
            }

            return null;
        }

        if (id is "COMM" or "USLT")
        {
            if (payload.Length < 4)
            {
                return null;
            }

            byte enc = payload[0];
            string lang = System.Text.Encoding.Latin1.GetString(payload.Slice(1, 3));
            string desc = Id3v2Text.ReadTerminated(enc, payload[4..], out var rest, out _);
            string text = Id3v2Text.Decode(enc, rest).TrimEnd('\0');
            tags.Raw(format, $"{id}:{lang}:{desc}", text);
            if (id == "COMM" && TagCollector.Clean(text) is { } c && !desc.StartsWith("iTun", StringComparison.Ordinal))
            {
                // The first comment without a description wins; a described one only when there is no other.
                if (desc.Length == 0 && (values.Comment is null || values.CommentDescribed))
                {
                    values.Comment = c;
                    values.CommentDescribed = false;
                }
                else if (values.Comment is null)
                {
                    values.Comment = c;
                    values.CommentDescribed = true;
                }
            }

            return null;
        }

        if (id[0] == 'T')
        {
            byte enc = payload[0];
            var list = Id3v2Text.ReadValues(version, enc, payload[1..]);
            string joined = string.Join("; ", list);
            tags.Raw(format, id, joined);
            if (list.Count == 0)
            {
                return null;
            }

            switch (id)
            {
                case "TIT2": values.Title ??= joined; break;
                case "TPE1": values.Artist ??= joined; break;
                case "TPE2": values.AlbumArtist ??= joined; break;
                case "TALB": values.Album ??= joined; break;
                case "TRCK":
                    TagCollector.ParsePair(list[0], out var tn, out var tc);
                    values.TrackNumber ??= tn;
                    values.TrackCount ??= tc;
                    break;
                case "TPOS":
                    TagCollector.ParsePair(list[0], out var dn, out var dc);
                    values.DiscNumber ??= dn;
                    values.DiscCount ??= dc;
                    break;
                case "TDRC" or "TYER":
                    values.Year = TagCollector.ParseYear(list[0]) ?? values.Year;
                    break;
                case "TORY" or "TDOR":
                    values.Year ??= TagCollector.ParseYear(list[0]);
                    break;
                case "TCON":
                    // v2.3 packs "(17)(6)Rock"; v2.4 lists values; the first that resolves wins.
                    foreach (var g in list)
                    {
                        if (TagCollector.Genre(g) is { } name)
                        {
                            values.Genre ??= name;
                            break;
                        }
                    }

                    break;
                case "TCMP":
                    values.Compilation ??= TagCollector.ParseBool(list[0]);
                    break;
            }

            return null;
        }

        tags.Raw(format, id, id[0] == 'W' ? System.Text.Encoding.Latin1.GetString(payload).TrimEnd('\0') : string.Create(CultureInfo.InvariantCulture, $"[{header.BodySize} bytes]"));
        return null;
    }

    private static PictureRef? DecodePicture(int version, ReadOnlySpan<byte> payload, TagCollector tags, TagFormat format, long frameOffset)
    {
        byte enc = payload[0];
        var p = payload[1..];
        string? mime;
        if (version == 2)
        {
            if (p.Length < 3)
            {
                return null;
            }

            mime = TagCollector.NormaliseMime(System.Text.Encoding.Latin1.GetString(p[..3]));
            p = p[3..];
        }
        else
        {
            mime = TagCollector.NormaliseMime(Id3v2Text.ReadTerminated(0, p, out p, out bool ok));
            if (!ok)
            {
                tags.Warn(frameOffset, "ID3v2 picture frame has no end to its MIME type");
                return null;
            }
        }

        if (p.IsEmpty)
        {
            return null;
        }

        int type = p[0];
        string desc = Id3v2Text.ReadTerminated(enc, p[1..], out var data, out bool terminated);
        if (!terminated)
        {
            tags.Warn(frameOffset, "ID3v2 picture frame description runs past what was read");
            return null;
        }

        int start = payload.Length - data.Length;
        mime ??= TagCollector.SniffMime(data);
        if (mime == "application/octet-stream" || mime == "image/")
        {
            mime = TagCollector.SniffMime(data);
        }

        tags.Raw(format, version == 2 ? "PIC" : "APIC", $"[picture type {type}, {mime}]");
        return new PictureRef(mime, type, TagCollector.Clean(desc), start, false);
    }

    public static string MapV22(string id) => id switch
    {
        "TT1" => "TIT1", "TT2" => "TIT2", "TT3" => "TIT3", "TP1" => "TPE1", "TP2" => "TPE2", "TP3" => "TPE3", "TP4" => "TPE4",
        "TAL" => "TALB", "TRK" => "TRCK", "TPA" => "TPOS", "TYE" => "TYER", "TCO" => "TCON", "TCM" => "TCOM", "TEN" => "TENC",
        "TSS" => "TSSE", "TCP" => "TCMP", "TOR" => "TORY", "TBP" => "TBPM", "TXX" => "TXXX", "COM" => "COMM", "ULT" => "USLT",
        "PIC" => "PIC", "WXX" => "WXXX", "TCR" => "TCOP", "TLE" => "TLEN", "TPB" => "TPUB", "TRC" => "TSRC",
        _ => id,
    };
}
