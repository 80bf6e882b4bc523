using System.Buffers.Binary;
using MusicLocker.Media.Internal;

namespace MusicLocker.Media.Formats.Mp4;

// ISO/IEC 14496-12: mdhd §8.4.2 (v0: 32-bit times, v1: 64-bit), tkhd §8.3.2, hdlr §8.4.3, stts §8.6.1.2,
// stsc §8.7.4, stsz/stz2 §8.7.3, stco/co64 §8.7.5, elst §8.6.6. Every table is sized from the bytes actually present,
// never from its entry count field alone, and the samples counted are those the tables place in bytes of the file.

/// <summary>One track of a movie: what the walker read of it.</summary>
internal sealed class Mp4Track
{
    public uint Handler { get; set; }

    public uint TrackId { get; set; }

    /// <summary>Fragmented MP4 (moof/traf/trun): the samples, their total duration and bytes over every fragment.</summary>
    public long FragmentSamples { get; set; }

    public long FragmentDuration { get; set; }

    public long FragmentBytes { get; set; }

    public uint DefaultSampleDuration { get; set; }

    public uint DefaultSampleSize { get; set; }

    public uint Timescale { get; set; }

    public ulong MediaDuration { get; set; }

    public ulong TrackDuration { get; set; }

    public AudioSampleEntry? Entry { get; set; }

    public uint[] SttsCounts { get; private set; } = [];

    public uint[] SttsDeltas { get; private set; } = [];

    public uint[] StscFirstChunk { get; private set; } = [];

    public uint[] StscSamplesPerChunk { get; private set; } = [];

    public uint ConstantSampleSize { get; private set; }

    public uint SampleSizeCount { get; private set; }

    public uint[] SampleSizes { get; private set; } = [];

    public long[] ChunkOffsets { get; private set; } = [];

    public long EditMediaTime { get; set; } = -1;

    public ulong EditSegmentDuration { get; set; }

    public int EditCount { get; set; }

    public bool HasSampleTables => SttsCounts.Length > 0;

    private static int Entries(ReadOnlySpan<byte> payload, int headerBytes, int entrySize, out ReadOnlySpan<byte> table)
    {
        table = default;
        if (payload.Length < headerBytes)
        {
            return 0;
        }

        uint claimed = BinaryPrimitives.ReadUInt32BigEndian(payload[(headerBytes - 4)..]);
        int present = (payload.Length - headerBytes) / entrySize;
        int n = (int)Math.Min(claimed, (uint)present);
        table = payload.Slice(headerBytes, n * entrySize);
        return n;
    }

    public static (uint Timescale, ulong Duration) ReadTimes(ReadOnlySpan<byte> payload, bool movieHeader)
    {
        if (payload.Length < 4)
        {
            return (0, 0);
        }

        if (payload[0] == 1)
        {
            return payload.Length < 32 ? (0, 0) : (BinaryPrimitives.ReadUInt32BigEndian(payload[20..]), BinaryPrimitives.ReadUInt64BigEndian(payload[24..]));
        }

        _ = movieHeader;
        return payload.Length < 20 ? (0, 0) : (BinaryPrimitives.ReadUInt32BigEndian(payload[12..]), BinaryPrimitives.ReadUInt32BigEndian(payload[16..]));
    }

    public void ReadTkhd(ReadOnlySpan<byte> p)
    {
        if (p.Length >= 4 && p[0] == 1 && p.Length >= 36)
        {
            TrackId = BinaryPrimitives.ReadUInt32BigEndian(p[20..]);
            TrackDuration = BinaryPrimitives.ReadUInt64BigEndian(p[28..]);
        }
        else if (p.Length >= 24)
        {
            TrackId = BinaryPrimitives.ReadUInt32BigEndian(p[12..]);
            TrackDuration = BinaryPrimitives.ReadUInt32BigEndian(p[20..]);
        }
    }

    /// <summary>The fragments' seek entries (times from the first fragment sample), built as the runs are read.</summary>
    public SeekIndexBuilder? FragmentIndex { get; private set; }

    /// <summary>The time the first fragment sample starts at: the duration moov's tables claim.</summary>
    public long FragmentTimeBase { get; private set; }

    /// <summary>Whether the track has a time-to-sample or sample-size box (even an empty one: a claim of no samples).</summary>
    public bool HasSampleTableBoxes { get; private set; }

    // ISO/IEC 14496-12 §8.8.8 TrackRunBox: sample_count, optional data_offset (0x1) and first_sample_flags (0x4), then
    // per sample the fields its flags name: duration 0x100, size 0x200, flags 0x400, composition offset 0x800.
    // A run's data starts at the fragment's base offset plus data_offset, else where the previous run's data ended.

    /// <summary>Reads a run; returns where the next run's data starts when it names no data_offset.</summary>
    public long ReadTrun(ReadOnlySpan<byte> p, uint defaultDuration, uint defaultSize, long baseOffset, MediaProbeOptions options)
    {
        if (p.Length < 8)
        {
            return baseOffset;
        }

        uint flags = BinaryPrimitives.ReadUInt32BigEndian(p) & 0xFFFFFF;
        long count = BinaryPrimitives.ReadUInt32BigEndian(p[4..]);
        long offset = baseOffset;
        if ((flags & 0x1) != 0 && p.Length >= 12)
        {
            offset = baseOffset + BinaryPrimitives.ReadInt32BigEndian(p[8..]);
        }

        int pos = 8 + ((flags & 0x1) != 0 ? 4 : 0) + ((flags & 0x4) != 0 ? 4 : 0);
        int perSample = 4 * (((flags & 0x100) != 0 ? 1 : 0) + ((flags & 0x200) != 0 ? 1 : 0) + ((flags & 0x400) != 0 ? 1 : 0) + ((flags & 0x800) != 0 ? 1 : 0));
        if (perSample > 0)
        {
            count = Math.Min(count, Math.Max(0, p.Length - pos) / perSample); // never more samples than the box holds
        }

        if (FragmentSamples + count > options.MaxFrames)
        {
            ThrowHelper.ThrowLimit("The number of MP4 samples", options.MaxFrames, nameof(MediaProbeOptions.MaxFrames));
        }

        if (FragmentIndex is null && Timescale != 0)
        {
            // The fragments follow the samples of moov's tables (their claimed duration: moov is whole by now).
            FragmentTimeBase = ClaimedDuration();
            FragmentIndex = new SeekIndexBuilder((int)Math.Min(Timescale, int.MaxValue), Math.Max(1, (long)(options.SeekIndexInterval.TotalSeconds * Timescale)), options.MaxSeekIndexEntries, FragmentTimeBase);
        }

        var index = FragmentIndex;
        long time = FragmentDuration, bytes = 0;
        for (long i = 0; i < count && perSample > 0; i++)
        {
            int at = pos + (int)(i * perSample);
            uint duration = defaultDuration;
            if ((flags & 0x100) != 0)
            {
                duration = BinaryPrimitives.ReadUInt32BigEndian(p[at..]);
                at += 4;
            }

            uint size = (flags & 0x200) != 0 ? BinaryPrimitives.ReadUInt32BigEndian(p[at..]) : defaultSize;
            index?.Add(FragmentTimeBase + time, offset + bytes);
            time += duration;
            bytes += size;
        }

        if (perSample == 0 && count > 0)
        {
            // Every sample has the default duration and size: the entries at the interval marks are computed, not walked.
            long first = FragmentTimeBase + time;
            while (index is not null && defaultDuration > 0)
            {
                long i = Math.Max(0, (index.NextTimestamp - first + defaultDuration - 1) / defaultDuration);
                if (i >= count)
                {
                    break;
                }

                index.Add(first + (i * defaultDuration), offset + (i * defaultSize));
            }

            time += count * defaultDuration;
            bytes = count * defaultSize;
        }

        FragmentSamples += count;
        FragmentDuration = time;
        FragmentBytes += bytes;
        return offset + bytes;
    }

    public void ReadStts(ReadOnlySpan<byte> p)
    {
        HasSampleTableBoxes = true;
        int n = Entries(p, 8, 8, out var t);
        SttsCounts = new uint[n];
        SttsDeltas = new uint[n];
        for (int i = 0; i < n; i++)
        {
            SttsCounts[i] = BinaryPrimitives.ReadUInt32BigEndian(t[(i * 8)..]);
            SttsDeltas[i] = BinaryPrimitives.ReadUInt32BigEndian(t[((i * 8) + 4)..]);
        }
    }

    public void ReadStsc(ReadOnlySpan<byte> p)
    {
        int n = Entries(p, 8, 12, out var t);
        StscFirstChunk = new uint[n];
        StscSamplesPerChunk = new uint[n];
        for (int i = 0; i < n; i++)
        {
            StscFirstChunk[i] = BinaryPrimitives.ReadUInt32BigEndian(t[(i * 12)..]);
            StscSamplesPerChunk[i] = BinaryPrimitives.ReadUInt32BigEndian(t[((i * 12) + 4)..]);
        }
    }

    public void ReadStsz(ReadOnlySpan<byte> p)
    {
        HasSampleTableBoxes = true;
        if (p.Length < 12)
        {
            return;
        }

        ConstantSampleSize = BinaryPrimitives.ReadUInt32BigEndian(p[4..]);
        SampleSizeCount = BinaryPrimitives.ReadUInt32BigEndian(p[8..]);
        if (ConstantSampleSize == 0)
        {
            int n = Entries(p, 12, 4, out var t);
            SampleSizes = new uint[n];
            for (int i = 0; i < n; i++)
            {
                SampleSizes[i] = BinaryPrimitives.ReadUInt32BigEndian(t[(i * 4)..]);
            }

            SampleSizeCount = (uint)n;
        }
    }

    public void ReadStz2(ReadOnlySpan<byte> p)
    {
        if (p.Length < 12)
        {
            return;
        }

        int field = p[7];
        uint claimed = BinaryPrimitives.ReadUInt32BigEndian(p[8..]);
        var t = p[12..];
        int present = field switch { 4 => t.Length * 2, 8 => t.Length, 16 => t.Length / 2, _ => 0 };
        int n = (int)Math.Min(claimed, (uint)present);
        SampleSizes = new uint[n];
        for (int i = 0; i < n; i++)
        {
            SampleSizes[i] = field switch
            {
                4 => (uint)((i & 1) == 0 ? t[i >> 1] >> 4 : t[i >> 1] & 15),
                8 => t[i],
                _ => BinaryPrimitives.ReadUInt16BigEndian(t[(i * 2)..]),
            };
        }

        SampleSizeCount = (uint)n;
    }

    public void ReadChunkOffsets(ReadOnlySpan<byte> p, bool wide)
    {
        int size = wide ? 8 : 4;
        int n = Entries(p, 8, size, out var t);
        ChunkOffsets = new long[n];
        for (int i = 0; i < n; i++)
        {
            ChunkOffsets[i] = wide ? (long)Math.Min(BinaryPrimitives.ReadUInt64BigEndian(t[(i * 8)..]), long.MaxValue) : BinaryPrimitives.ReadUInt32BigEndian(t[(i * 4)..]);
        }
    }

    public void ReadElst(ReadOnlySpan<byte> p)
    {
        if (p.Length < 8)
        {
            return;
        }

        bool v1 = p[0] == 1;
        int n = Entries(p, 8, v1 ? 20 : 12, out var t);
        EditCount = n;
        for (int i = 0; i < n; i++)
        {
            var e = t[(i * (v1 ? 20 : 12))..];
            ulong segment = v1 ? BinaryPrimitives.ReadUInt64BigEndian(e) : BinaryPrimitives.ReadUInt32BigEndian(e);
            long mediaTime = v1 ? BinaryPrimitives.ReadInt64BigEndian(e[8..]) : BinaryPrimitives.ReadInt32BigEndian(e[4..]);
            if (mediaTime >= 0 && EditMediaTime < 0)
            {
                EditMediaTime = mediaTime;
                EditSegmentDuration = segment;
            }
        }
    }

    /// <summary>The number of samples the time-to-sample table claims (a claim only: see <see cref="WalkSamples"/>).</summary>
    public long ClaimedSampleCount()
    {
        long n = 0;
        foreach (uint c in SttsCounts)
        {
            n += c;
        }

        return n;
    }

    /// <summary>The duration the time-to-sample table claims (a claim only), capped far from overflow.</summary>
    public long ClaimedDuration()
    {
        long d = 0;
        for (int i = 0; i < SttsCounts.Length; i++)
        {
            d = Math.Min(d + ((long)SttsCounts[i] * SttsDeltas[i]), long.MaxValue / 4);
        }

        return d;
    }

    public bool SampleSizesVary()
    {
        if (ConstantSampleSize != 0 || SampleSizes.Length < 2)
        {
            return false;
        }

        uint first = SampleSizes[0];
        for (int i = 1; i < SampleSizes.Length - 1; i++)
        {
            if (SampleSizes[i] != first)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Walks the sample tables in decode order and keeps only the samples that really are in the file: each one needs a
    /// duration (stts), a size (stsz/stz2), a chunk (stsc + stco/co64) and bytes inside <paramref name="dataStart"/> ..
    /// <paramref name="dataEnd"/> (the mdat payload that is present). The walk never trusts a count: it runs over at most
    /// the chunks and sizes the tables hold, and a constant sample size counts at most as many samples as the data holds,
    /// so a table that claims 2^32 samples costs no more than the bytes it came in. Present samples are fed to
    /// <paramref name="index"/>.
    /// </summary>
    /// <exception cref="MediaFormatException">More than <paramref name="maxSamples"/> samples are present.</exception>
    public Mp4Samples WalkSamples(long dataStart, long dataEnd, long maxSamples, SeekIndexBuilder? index)
    {
        long sizes = ConstantSampleSize != 0
            ? Math.Min(SampleSizeCount, Math.Max(0, dataEnd - dataStart) / ConstantSampleSize)
            : SampleSizes.Length;
        long sampleIndex = 0, present = 0, bytes = 0, time = 0, end = 0;
        int sttsEntry = 0;
        uint sttsLeft = SttsCounts.Length > 0 ? SttsCounts[0] : 0;
        int stscEntry = 0;
        for (int chunk = 0; chunk < ChunkOffsets.Length && sampleIndex < sizes; chunk++)
        {
            while (stscEntry + 1 < StscFirstChunk.Length && StscFirstChunk[stscEntry + 1] <= chunk + 1)
            {
                stscEntry++;
            }

            long perChunk = StscSamplesPerChunk.Length > 0 ? StscSamplesPerChunk[stscEntry] : 0;
            long offset = ChunkOffsets[chunk];
            for (long s = 0; s < perChunk && sampleIndex < sizes; s++)
            {
                while (sttsLeft == 0)
                {
                    if (++sttsEntry >= SttsCounts.Length)
                    {
                        return new Mp4Samples(present, end, bytes);
                    }

                    sttsLeft = SttsCounts[sttsEntry];
                }

                long size = ConstantSampleSize != 0 ? ConstantSampleSize : SampleSizes[sampleIndex];
                uint delta = SttsDeltas[sttsEntry];
                if (offset >= dataStart && offset <= dataEnd - size)
                {
                    if (++present > maxSamples)
                    {
                        ThrowHelper.ThrowLimit("The number of MP4 samples", maxSamples, nameof(MediaProbeOptions.MaxFrames), offset);
                    }

                    index?.Add(time, offset);
                    bytes += size;
                    end = time + delta;
                }

                offset += size;
                time += delta;
                sttsLeft--;
                sampleIndex++;
            }
        }

        return new Mp4Samples(present, end, bytes);
    }
}
