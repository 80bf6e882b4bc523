using System.Buffers;
using MusicLocker.Media.TagLib.Internal;
using TagLibFile = TagLib.File;

namespace MusicLocker.Media.TagLib;

/// <summary>
/// Writes a copy of an MP3 or M4A with edited tags to a destination stream, the audio payload copied byte for byte from
/// the original by range reads (never held in memory). Immutable and thread-safe; each call reads its own original.
/// </summary>
/// <remarks>
/// <para>How: only the tag region is handed to TagLibSharp, as a small in-memory file — an MP3's leading bytes up to its
/// first audio frame; an M4A's <c>ftyp</c> + <c>moov</c> with an empty <c>mdat</c>. TagLibSharp rewrites that; the copy
/// is the rewritten region spliced with the original's audio. For M4A only the new <c>moov/udta</c> is taken from
/// TagLibSharp: it replaces the original's <c>udta</c> inside the original <c>moov</c>, and every chunk offset
/// (<c>stco</c>/<c>co64</c>) that points past the <c>moov</c> moves by the change in its size.</para>
/// <para>An MP3 copy carries one tag, the edited ID3v2 (version per <see cref="EditedCopyOptions.Id3v2Version"/>,
/// TagLibSharp keeping the original first ID3v2 tag's other frames): trailing ID3v1/APE/Lyrics3 tags, stacked ID3v2 tags
/// after the first and junk before the first frame are left out, as they would contradict the edit; the values the edit
/// keeps and a cover that the prober read from them are carried into the ID3v2.</para>
/// </remarks>
public sealed class EditedCopyWriter : ITagCopyWriter
{
    private readonly EditedCopyOptions _options;

    /// <summary>Creates a writer; the options are copied and validated here.</summary>
    public EditedCopyWriter(EditedCopyOptions? options = null)
    {
        _options = (options ?? new EditedCopyOptions()).Clone();
        _options.Validate();
    }

    /// <summary>Writes the edited copy of a seekable stream (see <see cref="WriteAsync(IRandomAccessSource, MediaInfo, TagEdits, Stream, CancellationToken)"/>).</summary>
    /// <exception cref="ArgumentException"><paramref name="original"/> cannot seek.</exception>
    public Task<EditedCopy> WriteAsync(Stream original, MediaInfo info, TagEdits edits, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(original);
        if (!original.CanSeek || !original.CanRead)
        {
            throw new ArgumentException("The original must be a readable, seekable stream (or use the IRandomAccessSource overload).", nameof(original));
        }

        return WriteAsync(new StreamRandomAccessSource(original), info, edits, destination, cancellationToken);
    }

    /// <summary>
    /// Writes to <paramref name="destination"/> a copy of <paramref name="original"/> (probed as <paramref name="info"/>)
    /// with <paramref name="edits"/> applied to its tags. The audio payload (<see cref="MediaInfo.AudioOffset"/>,
    /// <see cref="MediaInfo.AudioLength"/>) is copied unchanged.
    /// </summary>
    /// <exception cref="MediaFormatException"><see cref="MediaErrorCode.UnsupportedFormat"/>: an ADTS file (no tag a
    /// player reads) or a fragmented MP4; <see cref="MediaErrorCode.Corrupt"/>: the original is not what was probed (its
    /// length or boxes differ); <see cref="MediaErrorCode.LimitExceeded"/>: the tag region is larger than
    /// <see cref="EditedCopyOptions.MaxTagRegionSize"/>, or a 32-bit chunk offset would overflow.</exception>
    public async Task<EditedCopy> WriteAsync(IRandomAccessSource original, MediaInfo info, TagEdits edits, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(edits);
        ArgumentNullException.ThrowIfNull(destination);
        edits.Validate();
        CheckProbed(original, info);

        return info.Container switch
        {
            MediaContainer.Mp3 => await WriteMp3Async(original, info, edits, destination, cancellationToken).ConfigureAwait(false),
            MediaContainer.Mp4 => await WriteMp4Async(original, await Mp4TopLevel.ReadAsync(original, cancellationToken).ConfigureAwait(false), info, edits, destination, cancellationToken).ConfigureAwait(false),
            _ => throw new MediaFormatException(MediaErrorCode.UnsupportedFormat, "An ADTS AAC file has no tag that players read: edits can be shown from the catalog, not written into the file"),
        };
    }

    /// <summary>
    /// The <see cref="ITagCopyWriter"/> hook a locker calls (<c>MusicLockerOptions.TagCopyWriter</c>): the request as
    /// <see cref="TagEdits"/> (null keeps, empty or 0 removes; the cover kept unless the request sets or removes it).
    /// Returns <see langword="null"/>, having written nothing, for ADTS and fragmented MP4, which this writer cannot edit.
    /// </summary>
    async Task<long?> ITagCopyWriter.WriteTaggedCopyAsync(IRandomAccessSource original, MediaInfo info, TagCopyRequest request, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Tags, "request.Tags");
        ArgumentNullException.ThrowIfNull(destination);
        var edits = EditsOf(request);
        edits.Validate();
        CheckProbed(original, info);
        switch (info.Container)
        {
            case MediaContainer.Mp3:
                return (await WriteMp3Async(original, info, edits, destination, cancellationToken).ConfigureAwait(false)).Length;
            case MediaContainer.Mp4:
                var boxes = await Mp4TopLevel.ReadAsync(original, cancellationToken).ConfigureAwait(false);
                return boxes.Exists(b => b.Type == "moof")
                    ? null
                    : (await WriteMp4Async(original, boxes, info, edits, destination, cancellationToken).ConfigureAwait(false)).Length;
            default:
                return null;
        }
    }

    private static TagEdits EditsOf(TagCopyRequest request)
    {
        var tags = request.Tags;
        return new TagEdits
        {
            Title = tags.Title,
            Artist = tags.Artist,
            Album = tags.Album,
            AlbumArtist = tags.AlbumArtist,
            TrackNumber = tags.TrackNumber,
            TrackCount = tags.TrackCount,
            DiscNumber = tags.DiscNumber,
            DiscCount = tags.DiscCount,
            Year = tags.Year,
            Genre = tags.Genre,
            Comment = tags.Comment,
            Compilation = tags.Compilation,
            Id3v2Version = request.Id3v2Version,
            CoverArt = request.CoverArt.IsEmpty ? null : new CoverArtEdit { Data = request.CoverArt, MimeType = request.CoverArtMimeType ?? string.Empty },
            RemoveCoverArt = request.RemoveCoverArt,
        };
    }

    private static void CheckProbed(IRandomAccessSource original, MediaInfo info)
    {
        if (original.Length != info.FileLength)
        {
            throw new MediaFormatException(MediaErrorCode.Corrupt, $"The original is {original.Length} bytes but was probed at {info.FileLength}: probe it again");
        }
    }

    private async Task<EditedCopy> WriteMp3Async(IRandomAccessSource original, MediaInfo info, TagEdits edits, Stream destination, CancellationToken cancellationToken)
    {
        // The leading tags, and a little audio after them so that TagLibSharp sees where the tags end (a tag with a
        // footer at the very end of its input would be taken for an appended tag).
        int sample = (int)Math.Min(info.AudioLength, 4096);
        var head = await ReadRegionAsync(original, 0, info.AudioOffset + sample, "The tags before the audio", cancellationToken).ConfigureAwait(false);

        // The copy keeps only the first ID3v2: what the prober read from the others (a stacked ID3v2, APE, ID3v1) is
        // carried into it, values and the cover.
        edits = edits.KeepingValuesOf(info.Tags);
        byte[]? carriedCover = null;
        if (edits.CoverArt is null && !edits.RemoveCoverArt && info.CoverArt is { } cover && cover.Offset >= Math.Max(0, Id3v2TagLength(head))
            && cover.Length <= CoverArtEdit.MaxLength)
        {
            carriedCover = await MediaProber.ReadCoverArtAsync(original, cover, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        using var region = new MemoryStream();
        region.Write(head);
        region.Position = 0;
        using (var file = TagLibFile.Create(new MemoryFileAbstraction("edit.mp3", region), "taglib/mp3", global::TagLib.ReadStyle.None))
        {
            // TagLibSharp gives every MP3 an ID3v1 tag too: the copy carries the ID3v2 alone.
            file.RemoveTags(global::TagLib.TagTypes.AllTags & ~global::TagLib.TagTypes.Id3v2);
            var tag = (global::TagLib.Id3v2.Tag)file.GetTag(global::TagLib.TagTypes.Id3v2, create: true);
            var version = edits.Id3v2Version == Id3v2Version.Default ? _options.Id3v2Version : edits.Id3v2Version;
            tag.Version = version == Id3v2Version.V23 ? (byte)3 : (byte)4;
            TagApplier.Apply(tag, edits);
            if (carriedCover is not null && tag.Pictures.Length == 0)
            {
                TagApplier.Apply(tag, new TagEdits { CoverArt = new CoverArtEdit { Data = carriedCover, MimeType = info.CoverArt!.MimeType } });
            }

            file.Save();
        }

        var saved = region.GetBuffer().AsMemory(0, (int)region.Length);
        int tagLength = Id3v2TagLength(saved.Span);
        if (tagLength < 0 || !saved.Span[^sample..].SequenceEqual(head.AsSpan(head.Length - sample)))
        {
            throw new MediaFormatException(MediaErrorCode.Corrupt, "TagLibSharp did not write an ID3v2 tag before the audio");
        }

        // Only the edited tag: stacked tags and junk after it are left out, like the trailing tags.
        await destination.WriteAsync(saved[..tagLength], cancellationToken).ConfigureAwait(false);
        await CopyRangeAsync(original, info.AudioOffset, info.AudioLength, destination, cancellationToken).ConfigureAwait(false);
        return new EditedCopy(tagLength + info.AudioLength, tagLength, info.AudioLength);
    }

    /// <summary>The length of the ID3v2 tag at the start of <paramref name="data"/> (header, body, footer), or -1.</summary>
    private static int Id3v2TagLength(ReadOnlySpan<byte> data)
    {
        if (data.Length < 10 || !data.StartsWith("ID3"u8) || ((data[6] | data[7] | data[8] | data[9]) & 0x80) != 0)
        {
            return -1;
        }

        int size = (data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9];
        int length = 10 + size + (data[3] == 4 && (data[5] & 0x10) != 0 ? 10 : 0);
        return length <= data.Length ? length : -1;
    }

    private async Task<EditedCopy> WriteMp4Async(IRandomAccessSource original, List<Mp4Box> boxes, MediaInfo info, TagEdits edits, Stream destination, CancellationToken cancellationToken)
    {
        var moovBox = boxes.Find(b => b.Type == "moov") ?? throw new MediaFormatException(MediaErrorCode.Corrupt, "The original has no 'moov' box: probe it again");
        if (boxes.Exists(b => b.Type == "moof"))
        {
            throw new MediaFormatException(MediaErrorCode.UnsupportedFormat, "Writing tags into a fragmented MP4 is not supported (its fragments may address bytes absolutely): edits can be shown from the catalog");
        }

        var moov = await ReadRegionAsync(original, moovBox.Offset, moovBox.Size, "The 'moov' box", cancellationToken).ConfigureAwait(false);
        var ftypBox = boxes.Find(b => b.Type == "ftyp");
        byte[] ftyp = ftypBox is null ? [] : await ReadRegionAsync(original, ftypBox.Offset, ftypBox.Size, "The 'ftyp' box", cancellationToken).ConfigureAwait(false);
        byte[] newUdta = RenderUdta(ftyp, moov, edits);
        byte[] newMoov = Mp4MoovEditor.ReplaceUdta(moov, newUdta, oldMoovEnd: moovBox.Offset + moovBox.Size);

        long delta = newMoov.Length - moov.Length;
        long written = 0;
        long audioOffset = info.AudioOffset >= moovBox.Offset + moovBox.Size ? info.AudioOffset + delta : info.AudioOffset;
        foreach (var box in boxes)
        {
            if (ReferenceEquals(box, moovBox))
            {
                await destination.WriteAsync(newMoov, cancellationToken).ConfigureAwait(false);
                written += newMoov.Length;
            }
            else
            {
                await CopyRangeAsync(original, box.Offset, box.Size, destination, cancellationToken).ConfigureAwait(false);
                written += box.Size;
            }
        }

        return new EditedCopy(written, audioOffset, info.AudioLength);
    }

    /// <summary>TagLibSharp edits a skeleton (ftyp + the original moov + an empty mdat); its new moov/udta is returned.</summary>
    private static byte[] RenderUdta(byte[] ftyp, byte[] moov, TagEdits edits)
    {
        using var skeleton = new MemoryStream();
        skeleton.Write(ftyp);
        skeleton.Write(moov);
        skeleton.Write([0, 0, 0, 8, (byte)'m', (byte)'d', (byte)'a', (byte)'t']);
        skeleton.Position = 0;
        using (var file = TagLibFile.Create(new MemoryFileAbstraction("edit.m4a", skeleton), "taglib/m4a", global::TagLib.ReadStyle.None))
        {
            var tag = (global::TagLib.Mpeg4.AppleTag)file.GetTag(global::TagLib.TagTypes.Apple, create: true);
            TagApplier.Apply(tag, edits);
            file.Save();
        }

        var saved = skeleton.GetBuffer().AsSpan(0, (int)skeleton.Length);
        return Mp4MoovEditor.FindUdta(saved)
            ?? throw new MediaFormatException(MediaErrorCode.Corrupt, "TagLibSharp wrote no 'moov/udta' box");
    }

    private async Task<byte[]> ReadRegionAsync(IRandomAccessSource source, long offset, long length, string what, CancellationToken cancellationToken)
    {
        if (length > _options.MaxTagRegionSize)
        {
            throw new MediaFormatException(MediaErrorCode.LimitExceeded, $"{what} is {length} bytes, more than MaxTagRegionSize ({_options.MaxTagRegionSize})", offset);
        }

        var bytes = new byte[length];
        int n = await source.ReadAtAsync(offset, bytes, cancellationToken).ConfigureAwait(false);
        if (n < length)
        {
            throw new MediaFormatException(MediaErrorCode.Corrupt, $"{what} ends {length - n} bytes past the end of the original: probe it again", offset + n);
        }

        return bytes;
    }

    private async Task CopyRangeAsync(IRandomAccessSource source, long offset, long length, Stream destination, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(_options.CopyBufferSize, Math.Max(1, length)));
        try
        {
            long done = 0;
            while (done < length)
            {
                int want = (int)Math.Min(buffer.Length, length - done);
                int n = await source.ReadAtAsync(offset + done, buffer.AsMemory(0, want), cancellationToken).ConfigureAwait(false);
                if (n <= 0)
                {
                    throw new MediaFormatException(MediaErrorCode.Corrupt, $"The original ends {length - done} bytes early: probe it again", offset + done);
                }

                await destination.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                done += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
