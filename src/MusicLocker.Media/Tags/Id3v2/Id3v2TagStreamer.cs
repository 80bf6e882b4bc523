namespace MusicLocker.Media.Tags.Id3v2;

/// <summary>
/// Reads an ID3v2 tag from a forward stream frame by frame: keeps each text frame, only the first bytes of a
/// picture frame (its MIME type and description), and skips the picture itself, so a 2 MB cover is never copied.
/// A tag unsynchronised as a whole (ID3v2.2/2.3) is read whole (up to <see cref="MediaProbeOptions.MaxTagSize"/>).
/// </summary>
internal sealed class Id3v2TagStreamer
{
    private readonly Id3v2Header _header;
    private readonly long _tagOffset;
    private readonly long _bodyEnd;
    private readonly TagCollector _tags;
    private readonly MediaProbeOptions _options;
    private readonly int _frameHeaderSize;
    private TagValues? _values;
    private bool _started;
    private bool _framesEnded;
    private int _frames;
    private bool _extendedHeaderRead;
    private bool _footerMissing;

    public Id3v2TagStreamer(Id3v2Header header, long tagOffset, TagCollector tags, MediaProbeOptions options)
    {
        _header = header;
        _tagOffset = tagOffset;
        _bodyEnd = tagOffset + Id3v2Header.Size + header.BodySize;
        _tags = tags;
        _options = options;
        _frameHeaderSize = Id3v2FrameHeader.HeaderSizeFor(header.Version);
    }

    /// <summary>Where the tag ends: after its footer, unless the header announces one that is not there.</summary>
    public long End => _tagOffset + _header.TotalSize - (_footerMissing ? Id3v2Header.Size : 0);

    public bool Done { get; private set; }

    /// <summary>Consumes from <paramref name="data"/> at <paramref name="position"/>; the return may pass the data's end (a skip).</summary>
    public long Parse(ReadOnlySpan<byte> data, long position, bool final, out int need)
    {
        need = 0;
        long pos = 0;
        if (!_started)
        {
            _started = true;
            if (_header.IsV22Compressed || (_header.Unsynchronised && _header.Version < 4) || _header.TotalSize > _options.MaxTagSize)
            {
                return WholeTag(data, final, out need);
            }

            _values = _tags.Begin(_header.Format);
            pos = Id3v2Header.Size;
        }

        while (true)
        {
            long abs = position + pos;
            if (_framesEnded || abs >= _bodyEnd)
            {
                if (_header.HasFooter)
                {
                    // A footer is announced: check it is there before jumping over 10 bytes that may be audio.
                    long at = _bodyEnd - position;
                    if (at + 3 > data.Length && !final)
                    {
                        need = 3;
                        return at;
                    }

                    if (at + 3 > data.Length || !data.Slice((int)at, 3).SequenceEqual("3DI"u8))
                    {
                        _footerMissing = true;
                        _tags.Warn(_bodyEnd, "ID3v2.4 header announces a footer that is not there: the bytes after the tag were read as audio");
                    }
                }

                Done = true;
                return End - position;
            }

            var rest = pos <= data.Length ? data[(int)pos..] : default;
            if (abs == _tagOffset + Id3v2Header.Size && _header.HasExtendedHeader && !_extendedHeaderRead)
            {
                if (rest.Length < 6 && !final)
                {
                    need = 6;
                    return pos;
                }

                int ext = Id3v2Header.ExtendedHeaderSize(rest, _header.Version, _header.BodySize);
                if (ext < 0)
                {
                    _tags.Warn(abs, "ID3v2 header says an extended header follows, but none is there: the frames were read from the start of the tag");
                    _extendedHeaderRead = true;
                    continue;
                }

                _extendedHeaderRead = true;
                pos += ext;
                continue;
            }

            if (_bodyEnd - abs < _frameHeaderSize)
            {
                _framesEnded = true;
                continue;
            }

            if (rest.Length < _frameHeaderSize)
            {
                if (final)
                {
                    return Finish(data, position);
                }

                need = _frameHeaderSize;
                return pos;
            }

            if (!Id3v2FrameHeader.TryParse(rest, _header.Version, out var fh) || ++_frames > 10_000)
            {
                _framesEnded = true; // padding, or bytes that are not a frame: the rest of the tag is skipped
                continue;
            }

            if (_header.Version == 4 && fh.PlainSize != fh.BodySize && fh.PlainSize <= _options.MaxTagFrameSize && !Id3v2FrameDecoder.IsPicture(fh.Id))
            {
                // iTunes wrote plain sizes into ID3v2.4 tags: believe whichever reading lands on the next frame.
                int resolved = fh.ResolveV24Size(rest, _bodyEnd - abs);
                if (resolved < 0 && !final)
                {
                    need = (int)Math.Min(_frameHeaderSize + (long)Math.Max(fh.PlainSize, fh.BodySize) + _frameHeaderSize, _bodyEnd - abs);
                    return pos;
                }

                if (resolved >= 0 && resolved != fh.BodySize)
                {
                    fh = new Id3v2FrameHeader { Id = fh.Id, BodySize = resolved, PlainSize = resolved, Flags = fh.Flags, HeaderSize = fh.HeaderSize };
                }
            }

            long frameEnd = abs + _frameHeaderSize + fh.BodySize;
            if (frameEnd > _bodyEnd)
            {
                _tags.Warn(abs, $"ID3v2 frame {fh.Id} runs past the end of its tag: the rest of the tag was skipped");
                _framesEnded = true;
                continue;
            }

            if (_header.Version == 4 && _header.Unsynchronised)
            {
                fh = new Id3v2FrameHeader { Id = fh.Id, BodySize = fh.BodySize, PlainSize = fh.PlainSize, Flags = (ushort)(fh.Flags | 0x0002), HeaderSize = fh.HeaderSize };
            }

            bool picture = Id3v2FrameDecoder.IsPicture(fh.Id);
            int wanted = picture ? Math.Min(fh.BodySize, Id3v2FrameDecoder.PicturePrefixSize) : fh.BodySize;
            if (!picture && fh.BodySize > _options.MaxTagFrameSize)
            {
                _tags.Warn(abs, $"ID3v2 frame {fh.Id} of {fh.BodySize} bytes is larger than MaxTagFrameSize: skipped");
                pos += _frameHeaderSize + (long)fh.BodySize;
                continue;
            }

            if (rest.Length < _frameHeaderSize + wanted)
            {
                if (final)
                {
                    return Finish(data, position);
                }

                need = _frameHeaderSize + wanted;
                return pos;
            }

            var body = rest.Slice(_frameHeaderSize, wanted);
            long bodyOffset = abs + _frameHeaderSize;
            if (Id3v2FrameDecoder.Decode(_header.Version, fh, body, _tags, _values!, abs) is { } pic)
            {
                _tags.AddPicture(new CoverArtInfo
                {
                    MimeType = pic.Mime,
                    PictureType = pic.PictureType,
                    Description = pic.Description,
                    Offset = bodyOffset + pic.DataStart,
                    Length = fh.BodySize - pic.DataStart,
                    Encoding = pic.Unsynchronised ? CoverArtEncoding.Unsynchronised : CoverArtEncoding.Plain,
                    Source = _header.Format,
                });
            }

            pos += _frameHeaderSize + (long)fh.BodySize;
        }
    }

    private long WholeTag(ReadOnlySpan<byte> data, bool final, out int need)
    {
        need = 0;
        if (_header.TotalSize > _options.MaxTagSize)
        {
            _tags.Begin(_header.Format);
            _tags.Warn(_tagOffset, $"ID3v2 tag of {_header.TotalSize} bytes is larger than MaxTagSize: skipped");
            Done = true;
            return _header.TotalSize;
        }

        if (data.Length < _header.TotalSize)
        {
            if (final)
            {
                _tags.Warn(_tagOffset, "ID3v2 tag is cut short by the end of the file");
                Id3v2TagReader.Read(data, _tagOffset, _tags, _options);
                Done = true;
                return data.Length;
            }

            _started = false; // come back with the whole tag
            need = (int)_header.TotalSize;
            return 0;
        }

        Id3v2TagReader.Read(data[..(int)_header.TotalSize], _tagOffset, _tags, _options);
        Done = true;
        return _header.TotalSize;
    }

    private long Finish(ReadOnlySpan<byte> data, long position)
    {
        _tags.Warn(position + data.Length, "ID3v2 tag is cut short by the end of the file");
        Done = true;
        return data.Length;
    }
}
