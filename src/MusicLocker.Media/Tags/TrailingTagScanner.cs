using System.Globalization;
using MusicLocker.Media.Tags.Ape;
using MusicLocker.Media.Tags.Id3v1;
using MusicLocker.Media.Tags.Id3v2;

namespace MusicLocker.Media.Tags;

// Tags appended to an MP3/ADTS stream, from the end backwards: ID3v1 (last 128 bytes, maybe "TAG+" 227 before it),
// Lyrics3v2 ("LYRICS200" after a 6-digit size), Lyrics3v1 ("LYRICSBEGIN" … "LYRICSEND", at most 5100 bytes), APEv1/v2
// (32-byte "APETAGEX" footer), and an ID3v2.4 tag with a "3DI" footer.

/// <summary>Finds the tags at the end of a stream and so where its audio ends.</summary>
internal static class TrailingTagScanner
{
    /// <summary>
    /// Scans <paramref name="tail"/>, the last bytes of a file of <paramref name="fileLength"/> bytes, for trailing tags
    /// and reads them; no tag may start before <c>minOffset</c> (the first audio frame). Returns the offset where the trailing tags start (the end of the audio).
    /// </summary>
    public static long Scan(ReadOnlySpan<byte> tail, long fileLength, long minOffset, TagCollector tags, MediaProbeOptions options)
    {
        long tailOffset = fileLength - tail.Length;
        long end = fileLength;
        bool sawId3v1 = false, sawApe = false, sawLyrics = false, sawId3v2 = false;
        for (int round = 0; round < 8; round++)
        {
            int rel = (int)(end - tailOffset);
            if (!sawId3v1 && rel >= Id3v1Tag.Size && end - Id3v1Tag.Size >= minOffset && Id3v1Tag.IsAt(tail[(rel - Id3v1Tag.Size)..]))
            {
                sawId3v1 = true;
                Id3v1Tag.Read(tail.Slice(rel - Id3v1Tag.Size, Id3v1Tag.Size), tags);
                end -= Id3v1Tag.Size;
                rel -= Id3v1Tag.Size;
                if (rel >= 227 && end - 227 >= minOffset && tail[(rel - 227)..].StartsWith("TAG+"u8))
                {
                    end -= 227;
                }

                continue;
            }

            if (!sawLyrics && rel >= 15 && tail[(rel - 9)..rel].SequenceEqual("LYRICS200"u8)
                && int.TryParse(tail.Slice(rel - 15, 6), NumberStyles.None, CultureInfo.InvariantCulture, out int lyricsSize))
            {
                long start = end - 15 - lyricsSize;
                if (start >= minOffset && start >= tailOffset && tail[(int)(start - tailOffset)..].StartsWith("LYRICSBEGIN"u8))
                {
                    sawLyrics = true;
                    tags.Raw(TagFormat.Id3v1, "LYRICS3V2", $"[{end - start} bytes]");
                    end = start;
                    continue;
                }
            }

            if (!sawLyrics && rel >= 20 && tail[(rel - 9)..rel].SequenceEqual("LYRICSEND"u8))
            {
                int from = Math.Max(0, rel - 5100 - 20);
                int begin = tail[from..rel].LastIndexOf("LYRICSBEGIN"u8);
                if (begin >= 0 && tailOffset + from + begin >= minOffset)
                {
                    sawLyrics = true;
                    end = tailOffset + from + begin;
                    continue;
                }
            }

            if (!sawApe && rel >= ApeFooter.Size && ApeFooter.TryParse(tail[(rel - ApeFooter.Size)..], out var ape))
            {
                long start = end - ape.TotalSize;
                if (start < minOffset)
                {
                    tags.Warn(end - ApeFooter.Size, "APE tag footer claims a size larger than the file: ignored");
                    break;
                }

                sawApe = true;
                long itemsStart = end - ape.TagSize;
                if (itemsStart >= tailOffset && ape.TagSize <= options.MaxTagSize)
                {
                    ApeTag.Read(tail.Slice((int)(itemsStart - tailOffset), (int)ape.TagSize - ApeFooter.Size), itemsStart, ape, tags, options);
                }
                else
                {
                    tags.Warn(start, $"APE tag of {ape.TotalSize} bytes is larger than the tail read (MediaProbeOptions.TailSize): its items were not read");
                }

                end = start;
                continue;
            }

            if (!sawId3v2 && rel >= Id3v2Header.Size && Id3v2Header.TryParseFooter(tail[(rel - Id3v2Header.Size)..], out var footer))
            {
                long start = end - footer.TotalSize;
                if (start < minOffset)
                {
                    break;
                }

                sawId3v2 = true;
                if (start >= tailOffset)
                {
                    Id3v2TagReader.Read(tail[(int)(start - tailOffset)..rel], start, tags, options);
                }
                else
                {
                    tags.Warn(start, "Appended ID3v2 tag is larger than the tail read: its frames were not read");
                }

                end = start;
                continue;
            }

            break;
        }

        return end;
    }
}
