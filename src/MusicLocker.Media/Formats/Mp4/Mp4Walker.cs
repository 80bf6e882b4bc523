using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using MusicLocker.Media.Internal;
using MusicLocker.Media.Tags;
using MusicLocker.Media.Tags.Id3v1;

namespace MusicLocker.Media.Formats.Mp4;

/// <summary>
/// Walks the boxes of an MP4 file in one forward pass, fed in any chunk sizes: top-level boxes in any order
/// (<c>moov</c> after <c>mdat</c> too), 64-bit sizes, size 0 = to the end; reads only the boxes it needs
/// (headers, sample tables, sample entries, <c>ilst</c> items) and skips the rest, cover art included.
/// </summary>
internal sealed class Mp4Walker
{
    private readonly MediaProbeOptions _options;
    private readonly TagCollector _tags;
    private readonly long? _fileLength;
    private readonly (uint Type, long End)[] _stack;
    private int _depth;
    private int _boxCount;
    private Mp4Track? _track;
    private TagValues? _ilstValues;
    private string? _itemMean;
    private string? _itemName;
    private bool _openEnded;
    private bool _hasMvex;
    private Mp4Track? _fragmentTrack;
    private uint _fragmentDuration;
    private uint _fragmentSize;
    private long _moofOffset;
    private long _fragmentDataOffset;

    public Mp4Walker(MediaProbeOptions options, TagCollector tags, bool probeMode, long? fileLength)
    {
        _options = options;
        _tags = tags;
        ProbeMode = probeMode;
        _fileLength = fileLength;
        _stack = new (uint, long)[options.MaxBoxDepth + 1];
    }

    public bool ProbeMode { get; }

    public bool HeadDone { get; private set; }

    public uint MajorBrand { get; private set; }

    public uint MovieTimescale { get; private set; }

    public ulong MovieDuration { get; private set; }

    public long MoovOffset { get; private set; } = -1;

    public long MdatOffset { get; private set; } = -1;

    public long MdatPayloadOffset { get; private set; } = -1;

    public long MdatPayloadLength { get; private set; }

    public bool MoovDone { get; private set; }

    public bool Fragmented { get; private set; }

    /// <summary>An mdat of size 0 ("to the end") seen in a stream of unknown length.</summary>
    public bool MdatOpenEnded => _openEnded;

    public List<Mp4Track> Tracks { get; } = [];

    public List<uint> VideoLikeHandlers { get; } = [];

    public List<MediaWarning> Warnings { get; } = [];

    public (int Delay, int Padding, long Samples)? ITunSmpb { get; private set; }

    public string? Encoder { get; private set; }

    /// <summary>The movie's whole duration over every fragment, from <c>mvex/mehd</c> (movie timescale), or 0.</summary>
    public ulong FragmentMovieDuration { get; private set; }

    /// <summary>Bytes the walker would like to read at once from here (range probing): the rest of <c>moov</c>, capped.</summary>
    public int PreferredRead
    {
        get
        {
            for (int i = 0; i < _depth; i++)
            {
                if (_stack[i].Type == FourCC.Moov)
                {
                    return (int)Math.Min(1024 * 1024, Math.Max(0, _stack[i].End - _position));
                }
            }

            // moov after mdat: what follows the mdat is almost always moov, so read it (up to 1 MiB) in one go.
            return MoovOffset < 0 && MdatOffset >= 0 && _fileLength is { } length
                ? (int)Math.Min(1024 * 1024, Math.Max(0, length - _position))
                : 0;
        }
    }

    private long _position;

    public long Parse(ReadOnlySpan<byte> data, long position, bool final, out int need)
    {
        need = 8;
        if (_openEnded)
        {
            return data.Length;
        }

        long pos = 0;
        while (true)
        {
            long abs = position + pos;
            _position = abs;
            while (_depth > 0 && abs >= _stack[_depth - 1].End)
            {
                Close(_stack[--_depth].Type);
            }

            if (HeadDone)
            {
                return pos;
            }

            long parentEnd = _depth > 0 ? _stack[_depth - 1].End : long.MaxValue;
            if (_depth > 0 && parentEnd - abs < 8)
            {
                pos += parentEnd - abs;
                if (pos > data.Length)
                {
                    return pos;
                }

                continue;
            }

            var rest = pos <= data.Length ? data[(int)pos..] : default;
            if (!Mp4BoxHeader.TryParse(rest, out var box, out int headerNeed))
            {
                if (final)
                {
                    if (!rest.IsEmpty)
                    {
                        Warn(abs, $"{rest.Length} bytes at the end are not a whole box");
                    }

                    return data.Length;
                }

                need = headerNeed;
                return pos;
            }

            if (++_boxCount > _options.MaxBoxCount)
            {
                ThrowHelper.ThrowLimit("The number of MP4 boxes", _options.MaxBoxCount, nameof(MediaProbeOptions.MaxBoxCount), abs);
            }

            long size = box.Size;
            if (size < 0)
            {
                if (_depth > 0)
                {
                    size = parentEnd - abs;
                }
                else if (_fileLength is { } fl)
                {
                    size = fl - abs;
                }
                else if (box.Type == FourCC.Mdat)
                {
                    // Push mode: an mdat "to the end" swallows the rest of the stream.
                    OnMdat(abs, box.HeaderSize, long.MaxValue - abs);
                    _openEnded = true;
                    return data.Length;
                }
                else
                {
                    ThrowHelper.ThrowCorrupt($"Box '{FourCC.ToText(box.Type)}' extends to the end of the file but is not mdat", abs);
                }
            }

            long room = _depth > 0 ? parentEnd - abs : long.MaxValue - abs;
            if ((size < box.HeaderSize || size > room) && _depth > 0 && (InMetadata() || box.Type is FourCC.Udta or FourCC.Meta))
            {
                // Damage inside udta/meta/ilst (or of a udta/meta itself) costs the metadata that follows it in its
                // parent, never the track.
                Warn(abs, $"Box '{FourCC.ToText(box.Type)}' of {size} bytes does not fit its parent '{FourCC.ToText(_stack[_depth - 1].Type)}': the rest of that metadata was skipped");
                pos += room;
                if (pos > data.Length)
                {
                    return pos;
                }

                continue;
            }

            if (size < box.HeaderSize)
            {
                ThrowHelper.ThrowCorrupt($"Box '{FourCC.ToText(box.Type)}' has size {size}, smaller than its header", abs);
            }

            long end = size <= room ? abs + size : long.MaxValue;
            if (size > room)
            {
                ThrowHelper.ThrowCorrupt(_depth > 0
                    ? $"Box '{FourCC.ToText(box.Type)}' of {size} bytes runs past its parent '{FourCC.ToText(_stack[_depth - 1].Type)}'"
                    : $"Box '{FourCC.ToText(box.Type)}' has an impossible size {size}", abs);
            }

            if (_depth == 0 && _fileLength is { } length && end > length && box.Type != FourCC.Mdat)
            {
                ThrowHelper.ThrowCorrupt($"Box '{FourCC.ToText(box.Type)}' runs {end - length} bytes past the end of the file (truncated)", abs);
            }

            uint parent = _depth > 0 ? _stack[_depth - 1].Type : 0;
            uint grand = _depth > 1 ? _stack[_depth - 2].Type : 0;
            switch (Classify(box.Type, parent, grand))
            {
                case Kind.Container:
                    Push(box.Type, end, abs);
                    pos += box.HeaderSize;
                    break;
                case Kind.Meta:
                    {
                        // ISO meta is a full box (4 bytes version/flags); QuickTime's is a plain container.
                        if (rest.Length < box.HeaderSize + 8)
                        {
                            if (final)
                            {
                                return data.Length;
                            }

                            need = box.HeaderSize + 8;
                            return pos;
                        }

                        bool quickTime = BinaryPrimitives.ReadUInt32BigEndian(rest[(box.HeaderSize + 4)..]) == FourCC.Hdlr;
                        Push(box.Type, end, abs);
                        pos += box.HeaderSize + (quickTime ? 0 : 4);
                        break;
                    }

                case Kind.Leaf:
                    {
                        if (grand == FourCC.Ilst && size - box.HeaderSize > _options.MaxTagFrameSize)
                        {
                            // A tag item is text or a number: one larger than any other tag frame is kept is skipped, unread.
                            Warn(abs, $"The MP4 tag item '{FourCC.ToText(parent)}' of {size} bytes is larger than MaxTagFrameSize: skipped");
                            pos += size;
                            break;
                        }

                        if (size - box.HeaderSize > _options.MaxBoxPayloadSize)
                        {
                            ThrowHelper.ThrowLimit($"Box '{FourCC.ToText(box.Type)}' of {size} bytes", _options.MaxBoxPayloadSize, nameof(MediaProbeOptions.MaxBoxPayloadSize), abs);
                        }

                        if (rest.Length < size)
                        {
                            if (final)
                            {
                                ThrowHelper.ThrowCorrupt($"Box '{FourCC.ToText(box.Type)}' is cut short by the end of the file", abs);
                            }

                            need = (int)size;
                            return pos;
                        }

                        Leaf(box.Type, parent, grand, rest[box.HeaderSize..(int)size], abs);
                        pos += size;
                        break;
                    }

                case Kind.Picture:
                    {
                        int prefix = (int)Math.Min(size, box.HeaderSize + 16);
                        if (rest.Length < prefix)
                        {
                            if (final)
                            {
                                return data.Length;
                            }

                            need = prefix;
                            return pos;
                        }

                        Picture(rest[box.HeaderSize..prefix], abs + box.HeaderSize, size - box.HeaderSize);
                        pos += size;
                        break;
                    }

                case Kind.Mdat:
                    OnMdat(abs, box.HeaderSize, size);
                    pos += size;
                    break;
                default:
                    pos += size;
                    break;
            }

            if (pos > data.Length)
            {
                return pos;
            }
        }
    }

    private enum Kind
    {
        Skip,
        Container,
        Meta,
        Leaf,
        Picture,
        Mdat,
    }

    private static Kind Classify(uint type, uint parent, uint grand)
    {
        if (parent == FourCC.Ilst)
        {
            return Kind.Container; // an item: ©nam, trkn, covr, ----, …
        }

        if (grand == FourCC.Ilst)
        {
            return type switch
            {
                FourCC.Data when parent == FourCC.Covr => Kind.Picture,
                FourCC.Data or FourCC.Mean or FourCC.Name => Kind.Leaf,
                _ => Kind.Skip,
            };
        }

        return type switch
        {
            FourCC.Moov or FourCC.Trak or FourCC.Mdia or FourCC.Minf or FourCC.Stbl or FourCC.Edts or FourCC.Udta or FourCC.Ilst
                or FourCC.Mvex or FourCC.Moof or FourCC.Traf => Kind.Container,
            FourCC.Meta => Kind.Meta,
            FourCC.Ftyp or FourCC.Mvhd or FourCC.Tkhd or FourCC.Mdhd or FourCC.Hdlr or FourCC.Stsd or FourCC.Stts or FourCC.Stsc
                or FourCC.Stsz or FourCC.Stz2 or FourCC.Stco or FourCC.Co64 or FourCC.Elst or FourCC.Adrm
                or FourCC.Trex or FourCC.Tfhd or FourCC.Trun or FourCC.Mehd => Kind.Leaf,
            FourCC.Mdat => Kind.Mdat,
            _ => Kind.Skip,
        };
    }

    private void Push(uint type, long end, long abs)
    {
        if (_depth >= _options.MaxBoxDepth)
        {
            ThrowHelper.ThrowLimit("MP4 box nesting", _options.MaxBoxDepth, nameof(MediaProbeOptions.MaxBoxDepth), abs);
        }

        if (type == FourCC.Moov)
        {
            if (MoovOffset >= 0)
            {
                ThrowHelper.ThrowCorrupt("The file has two moov boxes", abs);
            }

            MoovOffset = abs;
        }
        else if (type == FourCC.Trak && _depth > 0 && _stack[_depth - 1].Type == FourCC.Moov)
        {
            _track = new Mp4Track();
            Tracks.Add(_track);
        }
        else if (type == FourCC.Ilst)
        {
            _ilstValues ??= _tags.Begin(TagFormat.Mp4Ilst);
        }
        else if (type == FourCC.Mvex)
        {
            _hasMvex = true; // fragmented: the samples are in moof boxes after moov, so the whole file is walked
        }
        else if (type == FourCC.Moof)
        {
            Fragmented = true;
            _moofOffset = abs;
        }
        else if (type == FourCC.Traf)
        {
            _fragmentTrack = null;
        }
        else if (_depth > 0 && _stack[_depth - 1].Type == FourCC.Ilst)
        {
            _itemMean = _itemName = null;
        }

        _stack[_depth++] = (type, end);
    }

    private void Close(uint type)
    {
        if (type == FourCC.Moov)
        {
            MoovDone = true;
            if (ProbeMode && MdatOffset >= 0 && !_hasMvex)
            {
                HeadDone = true;
            }
        }
        else if (type == FourCC.Trak)
        {
            _track = null;
        }
    }

    private void OnMdat(long abs, int headerSize, long size)
    {
        if (MdatOffset < 0)
        {
            MdatOffset = abs;
            MdatPayloadOffset = abs + headerSize;
            MdatPayloadLength = size - headerSize;
        }
        else
        {
            MdatPayloadLength = Math.Max(MdatPayloadLength, abs + size - MdatPayloadOffset);
        }

        if (ProbeMode && MoovDone && !_hasMvex)
        {
            HeadDone = true;
        }
    }

    private void Leaf(uint type, uint parent, uint grand, ReadOnlySpan<byte> p, long abs)
    {
        switch (type)
        {
            case FourCC.Ftyp when p.Length >= 4:
                MajorBrand = BinaryPrimitives.ReadUInt32BigEndian(p);
                if (MajorBrand == FourCC.Aax)
                {
                    ThrowHelper.ThrowDrm("The file is an Audible audiobook ('aax ' brand), protected by Audible DRM: it cannot be played outside Audible's apps", abs);
                }

                return;
            case FourCC.Mehd when p.Length >= 8:
                FragmentMovieDuration = p[0] == 1 && p.Length >= 12 ? BinaryPrimitives.ReadUInt64BigEndian(p[4..]) : BinaryPrimitives.ReadUInt32BigEndian(p[4..]);
                return;
            case FourCC.Mvhd:
                (MovieTimescale, MovieDuration) = Mp4Track.ReadTimes(p, movieHeader: true);
                return;
            case FourCC.Adrm:
                ThrowHelper.ThrowDrm("The file is an Audible audiobook protected by Audible DRM ('adrm'): it cannot be played outside Audible's apps", abs);
                return;
            case FourCC.Data or FourCC.Mean or FourCC.Name:
                Ilst(type, parent, grand, p, abs);
                return;
            case FourCC.Trex when p.Length >= 24:
                if (FindTrack(BinaryPrimitives.ReadUInt32BigEndian(p[4..])) is { } t)
                {
                    t.DefaultSampleDuration = BinaryPrimitives.ReadUInt32BigEndian(p[12..]);
                    t.DefaultSampleSize = BinaryPrimitives.ReadUInt32BigEndian(p[16..]);
                }

                return;
            case FourCC.Tfhd when p.Length >= 8:
                ReadTfhd(p);
                return;
            case FourCC.Trun:
                if (_fragmentTrack is { } ft)
                {
                    _fragmentDataOffset = ft.ReadTrun(p, _fragmentDuration, _fragmentSize, _fragmentDataOffset, _options);
                }

                return;
        }

        var track = _track;
        if (track is null)
        {
            return;
        }

        switch (type)
        {
            case FourCC.Tkhd: track.ReadTkhd(p); break;
            case FourCC.Mdhd:
                (track.Timescale, track.MediaDuration) = Mp4Track.ReadTimes(p, movieHeader: false);
                break;
            case FourCC.Hdlr when p.Length >= 12 && parent == FourCC.Mdia:
                track.Handler = BinaryPrimitives.ReadUInt32BigEndian(p[8..]);
                if (track.Handler != FourCC.Soun)
                {
                    VideoLikeHandlers.Add(track.Handler);
                }

                break;
            case FourCC.Stsd: ReadStsd(track, p, abs); break;
            case FourCC.Stts: track.ReadStts(p); break;
            case FourCC.Stsc: track.ReadStsc(p); break;
            case FourCC.Stsz: track.ReadStsz(p); break;
            case FourCC.Stz2: track.ReadStz2(p); break;
            case FourCC.Stco: track.ReadChunkOffsets(p, wide: false); break;
            case FourCC.Co64: track.ReadChunkOffsets(p, wide: true); break;
            case FourCC.Elst: track.ReadElst(p); break;
        }
    }

    private Mp4Track? FindTrack(uint id)
    {
        foreach (var t in Tracks)
        {
            if (t.TrackId == id)
            {
                return t;
            }
        }

        return null;
    }

    // §8.8.7 TrackFragmentHeaderBox: track_ID, then by flags base_data_offset 0x1 (8), sample_description_index 0x2,
    // default_sample_duration 0x8, default_sample_size 0x10, default_sample_flags 0x20 (4 each).
    private void ReadTfhd(ReadOnlySpan<byte> p)
    {
        uint flags = BinaryPrimitives.ReadUInt32BigEndian(p) & 0xFFFFFF;
        _fragmentTrack = FindTrack(BinaryPrimitives.ReadUInt32BigEndian(p[4..]));
        _fragmentDuration = _fragmentTrack?.DefaultSampleDuration ?? 0;
        _fragmentSize = _fragmentTrack?.DefaultSampleSize ?? 0;
        // The data of the fragment's first run is addressed from base_data_offset when given, else from the moof.
        _fragmentDataOffset = (flags & 0x1) != 0 && p.Length >= 16
            ? (long)Math.Min(BinaryPrimitives.ReadUInt64BigEndian(p[8..]), long.MaxValue / 2)
            : _moofOffset;
        int pos = 8 + ((flags & 0x1) != 0 ? 8 : 0) + ((flags & 0x2) != 0 ? 4 : 0);
        if ((flags & 0x8) != 0 && p.Length >= pos + 4)
        {
            _fragmentDuration = BinaryPrimitives.ReadUInt32BigEndian(p[pos..]);
            pos += 4;
        }

        if ((flags & 0x10) != 0 && p.Length >= pos + 4)
        {
            _fragmentSize = BinaryPrimitives.ReadUInt32BigEndian(p[pos..]);
        }
    }

    private static void ReadStsd(Mp4Track track, ReadOnlySpan<byte> p, long abs)
    {
        if (p.Length < 16)
        {
            return;
        }

        var entry = p[8..];
        uint size = BinaryPrimitives.ReadUInt32BigEndian(entry);
        uint type = BinaryPrimitives.ReadUInt32BigEndian(entry[4..]);
        // The protection is the truthful answer even when the entry behind it is damaged or unknown to us.
        if (type == FourCC.Drms)
        {
            ThrowHelper.ThrowDrm("The audio is protected by Apple FairPlay DRM ('drms' sample entry): it was bought from the iTunes Store before 2009 and cannot be played outside Apple's apps", abs);
        }

        if (type == FourCC.Aavd)
        {
            ThrowHelper.ThrowDrm("The file is an Audible audiobook protected by Audible DRM ('aavd' sample entry): it cannot be played outside Audible's apps", abs);
        }

        if (size < 8 || size > entry.Length)
        {
            ThrowHelper.ThrowCorrupt($"Sample entry '{FourCC.ToText(type)}' has size {size}, outside its stsd box", abs);
        }

        if (track.Handler != FourCC.Soun && type is not (FourCC.Mp4a or FourCC.Enca))
        {
            return;
        }

        var e = AudioSampleEntry.Parse(entry[..(int)size], 8, type);
        track.Entry = e;
        if (e.HasAdrm)
        {
            ThrowHelper.ThrowDrm("The file is an Audible audiobook protected by Audible DRM ('aavd'/'adrm'): it cannot be played outside Audible's apps", abs);
        }

        if (type == FourCC.Enca)
        {
            string scheme = e.SchemeType switch
            {
                FourCC.Itun => "Apple FairPlay ('itun' scheme)",
                FourCC.Cenc => "MPEG Common Encryption ('cenc' scheme)",
                FourCC.Cbcs => "MPEG Common Encryption ('cbcs' scheme)",
                FourCC.Cens => "MPEG Common Encryption ('cens' scheme)",
                FourCC.Cbc1 => "MPEG Common Encryption ('cbc1' scheme)",
                0 => "an unnamed protection scheme",
                var s => $"the '{FourCC.ToText(s)}' protection scheme",
            };
            ThrowHelper.ThrowDrm($"The audio is encrypted with {scheme} ('enca' sample entry): it needs a licence key to play", abs);
        }
    }

    private void Picture(ReadOnlySpan<byte> prefix, long payloadOffset, long payloadLength)
    {
        if (prefix.Length < 8 || payloadLength < 8)
        {
            return;
        }

        int typeCode = (int)(BinaryPrimitives.ReadUInt32BigEndian(prefix) & 0xFFFFFF);
        string mime = typeCode switch
        {
            13 => "image/jpeg",
            14 => "image/png",
            27 => "image/bmp",
            12 => "image/gif",
            _ => TagCollector.SniffMime(prefix[8..]),
        };
        _tags.AddPicture(new CoverArtInfo
        {
            MimeType = mime,
            Offset = payloadOffset + 8,
            Length = payloadLength - 8,
            PictureType = 3,
            Source = TagFormat.Mp4Ilst,
        });
        _tags.Raw(TagFormat.Mp4Ilst, "covr", $"[{mime}, {payloadLength - 8} bytes]");
    }

    private void Ilst(uint type, uint item, uint grand, ReadOnlySpan<byte> p, long abs)
    {
        _ = grand;
        var values = _ilstValues;
        if (values is null)
        {
            return;
        }

        if (type == FourCC.Mean)
        {
            _itemMean = p.Length > 4 ? Encoding.UTF8.GetString(p[4..]) : string.Empty;
            return;
        }

        if (type == FourCC.Name)
        {
            _itemName = p.Length > 4 ? Encoding.UTF8.GetString(p[4..]) : string.Empty;
            return;
        }

        if (p.Length < 8)
        {
            return;
        }

        int typeCode = (int)(BinaryPrimitives.ReadUInt32BigEndian(p) & 0xFFFFFF);
        var v = p[8..];
        string key = item == FourCC.Dash ? $"----:{_itemMean}:{_itemName}" : FourCC.ToText(item);
        bool text = typeCode is 1 or 2 || (typeCode == 0 && item >> 24 == 0xA9);
        string? s = text ? TagCollector.Clean(typeCode == 2 ? Encoding.BigEndianUnicode.GetString(v) : Encoding.UTF8.GetString(v)) : null;
        switch (key)
        {
            case "©nam": values.Title ??= s; break;
            case "©ART": values.Artist ??= s; break;
            case "aART": values.AlbumArtist ??= s; break;
            case "©alb": values.Album ??= s; break;
            case "©day": values.Year ??= TagCollector.ParseYear(s); break;
            case "©gen": values.Genre ??= TagCollector.Clean(s); break;
            case "©cmt": values.Comment ??= s; break;
            case "©too": Encoder ??= s; break;
            case "gnre" when v.Length >= 2:
                values.Genre ??= Id3Genres.Name(BinaryPrimitives.ReadUInt16BigEndian(v) - 1);
                s = values.Genre;
                break;
            case "trkn" or "disk" when v.Length >= 6:
                {
                    int n = BinaryPrimitives.ReadUInt16BigEndian(v[2..]);
                    int m = BinaryPrimitives.ReadUInt16BigEndian(v[4..]);
                    if (key == "trkn")
                    {
                        values.TrackNumber ??= n > 0 ? n : null;
                        values.TrackCount ??= m > 0 ? m : null;
                    }
                    else
                    {
                        values.DiscNumber ??= n > 0 ? n : null;
                        values.DiscCount ??= m > 0 ? m : null;
                    }

                    s = string.Create(CultureInfo.InvariantCulture, $"{n}/{m}");
                    break;
                }

            case "cpil" when v.Length >= 1:
                values.Compilation ??= v[^1] != 0;
                s = v[^1] != 0 ? "1" : "0";
                break;
            case "tmpo" when v.Length >= 2:
                s = BinaryPrimitives.ReadUInt16BigEndian(v).ToString(CultureInfo.InvariantCulture);
                break;
        }

        if (item == FourCC.Dash && s is null && typeCode == 1)
        {
            s = Encoding.UTF8.GetString(v);
        }

        if (item == FourCC.Dash && string.Equals(_itemName, "iTunSMPB", StringComparison.Ordinal) && s is not null)
        {
            ITunSmpb = ParseSmpb(s, abs);
        }

        _tags.Raw(TagFormat.Mp4Ilst, key, s ?? $"[{v.Length} bytes]");
    }

    private (int, int, long)? ParseSmpb(string s, long abs)
    {
        // " 00000000 00000840 000001CA 00000000003F31F6 …": delay, padding, original sample count, in hex.
        var parts = s.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length >= 4
            && int.TryParse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int delay)
            && int.TryParse(parts[2], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int padding)
            && long.TryParse(parts[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out long samples)
            && delay >= 0 && padding >= 0 && samples >= 0)
        {
            return (delay, padding, samples);
        }

        Warn(abs, "iTunSMPB could not be read: gapless information ignored");
        return null;
    }

    /// <summary>Whether the box being read is inside <c>udta</c> or <c>meta</c> (metadata, not the track).</summary>
    private bool InMetadata()
    {
        for (int i = 0; i < _depth; i++)
        {
            if (_stack[i].Type is FourCC.Udta or FourCC.Meta)
            {
                return true;
            }
        }

        return false;
    }

    private void Warn(long offset, string message)
    {
        if (Warnings.Count < 32)
        {
            Warnings.Add(new MediaWarning(offset, message));
        }
    }
}
