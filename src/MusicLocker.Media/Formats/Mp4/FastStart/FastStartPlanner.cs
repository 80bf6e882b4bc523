using MusicLocker.Media.Internal;
using MusicLocker.Media.Parsing;

namespace MusicLocker.Media.Formats.Mp4.FastStart;

// ISO/IEC 14496-12 §4.2 (box sizes: 1 = 64-bit, 0 = to the end of the file), §8.1.1 (mdat), §8.2.1 (moov), §8.8.4 (moof).

/// <summary>
/// Reads the top-level box headers of a source, decides whether fast start applies, and when it does reads the
/// <c>moov</c> and has <see cref="MoovRewriter"/> build the new one.
/// </summary>
internal sealed class FastStartPlanner(IRandomAccessSource source, MediaProbeOptions options)
{
    private readonly byte[] _header = new byte[32];

    public async Task<FastStartPlan> PlanAsync(CancellationToken cancellationToken)
    {
        long length = source.Length;
        int n = await source.ReadAtAsync(0, _header.AsMemory(0, FormatSniffer.HeaderSize), cancellationToken).ConfigureAwait(false);
        if (!FormatSniffer.LooksLikeMp4(_header.AsSpan(0, n)))
        {
            return FastStartPlan.NotApplicable(source, FastStartDecision.NotMp4, "The file is not an MP4 (it does not start with an ftyp, moov, mdat, free, skip, wide or pnot box)");
        }

        var layout = await ScanAsync(length, cancellationToken).ConfigureAwait(false);
        if (layout.FragmentOffset >= 0)
        {
            return FastStartPlan.NotApplicable(source, FastStartDecision.Fragmented, $"A fragmented MP4 (moof at {layout.FragmentOffset:N0}): its fragments carry their own offsets and it streams as it is");
        }

        if (layout.MoovOffset < 0)
        {
            ThrowHelper.ThrowCorrupt("The MP4 has no moov box (no sample tables): there is nothing to move");
        }

        if (layout.FirstMdat < 0 || layout.MoovOffset < layout.FirstMdat)
        {
            return FastStartPlan.NotApplicable(source, FastStartDecision.AlreadyFastStart, layout.FirstMdat < 0
                ? $"The MP4 has no mdat box; moov (at {layout.MoovOffset:N0}) is already before any media data"
                : $"moov (at {layout.MoovOffset:N0}) already precedes mdat (at {layout.FirstMdat:N0})", layout.MoovOffset, layout.MoovLength, layout.FirstMdat);
        }

        if (layout.MdatAfterMoov >= 0)
        {
            return FastStartPlan.NotApplicable(source, FastStartDecision.Unsupported, $"moov (at {layout.MoovOffset:N0}) lies between mdat boxes (at {layout.FirstMdat:N0} and {layout.MdatAfterMoov:N0}): moving it would change the audio payload range", layout.MoovOffset, layout.MoovLength, layout.FirstMdat);
        }

        if (layout.MoovLength - layout.MoovHeader > options.MaxBoxPayloadSize)
        {
            ThrowHelper.ThrowLimit($"The moov box ({layout.MoovLength:N0} bytes)", options.MaxBoxPayloadSize, nameof(MediaProbeOptions.MaxBoxPayloadSize), layout.MoovOffset);
        }

        // The moov is inside the file (checked by the scan) and under the limit: these bytes exist.
        byte[] moov = new byte[layout.MoovLength];
        int read = await source.ReadAtAsync(layout.MoovOffset, moov, cancellationToken).ConfigureAwait(false);
        if (read < moov.Length)
        {
            throw new MediaFormatException(MediaErrorCode.Unreadable, $"The source ended at byte {layout.MoovOffset + read:N0} while its moov was read: it changed while being read", layout.MoovOffset + read);
        }

        var geometry = new OffsetMap(length, layout.FirstMdat, layout.MoovOffset, layout.MoovLength);
        var rewriter = new MoovRewriter(moov, layout.MoovOffset, options);
        if (rewriter.UnsupportedReason is { } why)
        {
            return FastStartPlan.NotApplicable(source, FastStartDecision.Unsupported, why, layout.MoovOffset, layout.MoovLength, layout.FirstMdat);
        }

        byte[] newMoov = rewriter.Rewrite(geometry, out int tables, out int upgraded);
        if (tables == 0)
        {
            ThrowHelper.ThrowCorrupt("The moov box holds no chunk offset table (stco/co64): it describes no track whose data could be found", layout.MoovOffset);
        }

        return FastStartPlan.Rewrite(source, layout.MoovOffset, layout.MoovLength, layout.FirstMdat, newMoov, tables, upgraded);
    }

    /// <summary>Walks the top-level box headers (one small read each).</summary>
    private async Task<TopLevelLayout> ScanAsync(long length, CancellationToken cancellationToken)
    {
        var layout = new TopLevelLayout();
        long pos = 0;
        int count = 0;
        while (pos < length)
        {
            if (++count > options.MaxBoxCount)
            {
                ThrowHelper.ThrowLimit("The number of top-level MP4 boxes", options.MaxBoxCount, nameof(MediaProbeOptions.MaxBoxCount), pos);
            }

            int n = await source.ReadAtAsync(pos, _header, cancellationToken).ConfigureAwait(false);
            bool parsed = Mp4BoxHeader.TryParse(_header.AsSpan(0, n), out var box, out _);
            long size = !parsed ? -2 : box.Size < 0 ? length - pos : box.Size;
            if (!parsed || size < box.HeaderSize || size > length - pos)
            {
                if (layout.MoovOffset >= 0 && (!parsed || box.Type != FourCC.Moov))
                {
                    // Bytes after the moov that are not a box (an appended ID3v1 tag, a cut-off box): copied as they are.
                    break;
                }

                ThrowHelper.ThrowCorrupt(parsed
                    ? $"The top-level box '{FourCC.ToText(box.Type)}' at {pos:N0} claims {(box.Size < 0 ? "the rest of the file" : $"{box.Size:N0} bytes")}; the file has {length - pos:N0} bytes from there"
                    : $"The last {length - pos:N0} bytes of the file, before any moov, are not a whole box header", pos);
            }

            switch (box.Type)
            {
                case FourCC.Moof:
                    layout.FragmentOffset = pos;
                    return layout;
                case FourCC.Moov when layout.MoovOffset >= 0:
                    ThrowHelper.ThrowCorrupt($"The MP4 has two moov boxes (at {layout.MoovOffset:N0} and {pos:N0})", pos);
                    break;
                case FourCC.Moov:
                    (layout.MoovOffset, layout.MoovLength, layout.MoovHeader) = (pos, size, box.HeaderSize);
                    break;
                case FourCC.Mdat when layout.FirstMdat < 0:
                    layout.FirstMdat = pos;
                    break;
                case FourCC.Mdat when layout.MoovOffset > layout.FirstMdat && layout.MdatAfterMoov < 0:
                    layout.MdatAfterMoov = pos;
                    break;
            }

            pos += size;
        }

        return layout;
    }

    private sealed class TopLevelLayout
    {
        public long FirstMdat { get; set; } = -1;

        public long MoovOffset { get; set; } = -1;

        public long MoovLength { get; set; }

        public int MoovHeader { get; set; }

        public long MdatAfterMoov { get; set; } = -1;

        public long FragmentOffset { get; set; } = -1;
    }
}

/// <summary>
/// Where a byte of the source lands in the rewritten file: before the first <c>mdat</c> it stays; from there to the old
/// <c>moov</c> it moves by the new <c>moov</c>'s length; after the old <c>moov</c> by the difference of the two.
/// </summary>
internal readonly record struct OffsetMap(long SourceLength, long InsertAt, long MoovOffset, long MoovLength)
{
    /// <summary>The new position of <paramref name="offset"/>, or -1 when it lies inside the old <c>moov</c> or past the file.</summary>
    public long Map(ulong offset, long newMoovLength)
    {
        if (offset > (ulong)SourceLength)
        {
            return -1;
        }

        long o = (long)offset;
        return o < InsertAt ? o
            : o < MoovOffset ? o + newMoovLength
            : o < MoovOffset + MoovLength ? -1
            : o - MoovLength + newMoovLength;
    }
}
