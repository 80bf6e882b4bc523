namespace MusicLocker.Media.Tags.Id3v2;

/// <summary>Reads a whole ID3v2 tag held in memory (used when the tag is unsynchronised as a whole, ID3v2.2/2.3).</summary>
internal static class Id3v2TagReader
{
    /// <summary>Reads the frames of <paramref name="tag"/> (header included, as stored) found at <paramref name="tagOffset"/>.</summary>
    public static void Read(ReadOnlySpan<byte> tag, long tagOffset, TagCollector tags, MediaProbeOptions options)
    {
        if (!Id3v2Header.TryParse(tag, out var header))
        {
            return;
        }

        var values = tags.Begin(header.Format);
        if (header.IsV22Compressed)
        {
            tags.Warn(tagOffset, "ID3v2.2 tag is compressed (no scheme was ever defined): its frames were skipped");
            return;
        }

        int bodyLength = (int)Math.Min(header.BodySize, tag.Length - Id3v2Header.Size);
        var rawBody = tag.Slice(Id3v2Header.Size, bodyLength);
        ReadOnlySpan<byte> body = rawBody;
        bool wholeUnsync = header.Unsynchronised && header.Version < 4;
        if (wholeUnsync)
        {
            var decoded = new byte[rawBody.Length];
            body = decoded.AsSpan(0, Id3v2Unsync.Decode(rawBody, decoded));
        }

        int pos = 0;
        if (header.HasExtendedHeader)
        {
            int ext = Id3v2Header.ExtendedHeaderSize(body, header.Version, body.Length);
            if (ext < 0)
            {
                tags.Warn(tagOffset, "ID3v2 header says an extended header follows, but none is there: the frames were read from the start of the tag");
            }

            pos = Math.Max(ext, 0);
        }

        int hs = Id3v2FrameHeader.HeaderSizeFor(header.Version);
        int count = 0;
        while (pos <= body.Length - hs && count++ < 10_000)
        {
            if (!Id3v2FrameHeader.TryParse(body[pos..], header.Version, out var fh))
            {
                break;
            }

            if (header.Version == 4 && fh.ResolveV24Size(body[pos..], body.Length - pos) is var resolved && resolved >= 0 && resolved != fh.BodySize)
            {
                fh = new Id3v2FrameHeader { Id = fh.Id, BodySize = resolved, PlainSize = resolved, Flags = fh.Flags, HeaderSize = fh.HeaderSize };
            }

            long frameOffset = tagOffset + Id3v2Header.Size + (wholeUnsync ? Id3v2Unsync.RawIndexOf(rawBody, pos) : pos);
            int bodyStart = pos + hs;
            if (fh.BodySize < 0 || fh.BodySize > body.Length - bodyStart)
            {
                tags.Warn(frameOffset, $"ID3v2 frame {fh.Id} runs past the end of its tag");
                break;
            }

            if (fh.BodySize > options.MaxTagFrameSize && !Id3v2FrameDecoder.IsPicture(fh.Id))
            {
                tags.Warn(frameOffset, $"ID3v2 frame {fh.Id} of {fh.BodySize} bytes is larger than MaxTagFrameSize: skipped");
            }
            else
            {
                var frameBody = body.Slice(bodyStart, fh.BodySize);
                if (Id3v2FrameDecoder.Decode(header.Version, fh, frameBody, tags, values, frameOffset) is { } pic)
                {
                    int decodedStart = bodyStart + pic.DataStart;
                    int decodedEnd = bodyStart + fh.BodySize;
                    long rawStart = wholeUnsync ? Id3v2Unsync.RawIndexOf(rawBody, decodedStart) : decodedStart;
                    long rawEnd = wholeUnsync ? Id3v2Unsync.RawIndexOf(rawBody, decodedEnd) : decodedEnd;
                    tags.AddPicture(new CoverArtInfo
                    {
                        MimeType = pic.Mime,
                        PictureType = pic.PictureType,
                        Description = pic.Description,
                        Offset = tagOffset + Id3v2Header.Size + rawStart,
                        Length = rawEnd - rawStart,
                        Encoding = wholeUnsync || pic.Unsynchronised ? CoverArtEncoding.Unsynchronised : CoverArtEncoding.Plain,
                        Source = header.Format,
                    });
                }
            }

            pos = bodyStart + fh.BodySize;
        }
    }
}
