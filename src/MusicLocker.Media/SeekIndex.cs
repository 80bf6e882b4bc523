using System.Buffers;
using MusicLocker.Media.Internal;

namespace MusicLocker.Media;

/// <summary>One entry of a <see cref="SeekIndex"/>: a frame that starts at <see cref="Time"/> and at <see cref="ByteOffset"/>.</summary>
/// <param name="Timestamp">The start time of the frame, in <see cref="SeekIndex.Timescale"/> units (samples for MP3/ADTS).</param>
/// <param name="ByteOffset">The byte position of the frame (MP3/ADTS) or sample (MP4) in the file.</param>
/// <param name="Timescale">The units of <paramref name="Timestamp"/> per second.</param>
public readonly record struct SeekPoint(long Timestamp, long ByteOffset, int Timescale)
{
    /// <summary>The start time of the frame.</summary>
    public TimeSpan Time => Timescale > 0 ? TimeSpan.FromTicks((long)(Timestamp * (decimal)TimeSpan.TicksPerSecond / Timescale)) : TimeSpan.Zero;
}

/// <summary>
/// Time → byte offset for a track: the start of every Nth frame (MP3, ADTS) or sample (MP4), so a player can start
/// reading at the frame that holds a given time. Compact (delta-of-delta varints, about 0.5 KB for a 4-minute MP3)
/// and serializable with <see cref="ToArray"/> / <see cref="Parse(ReadOnlySpan{byte})"/>; the format is in <c>docs/seek-index.md</c>.
/// </summary>
public sealed class SeekIndex
{
    private const uint Magic = 0x4D4C5349; // "MLSI"
    private const byte FormatVersion = 1;
    private readonly long[]? _timestamps; // null when evenly spaced: entry i is at i × Interval
    private readonly long[] _offsets;

    internal SeekIndex(int timescale, long duration, long interval, long[]? timestamps, long[] offsets)
    {
        Timescale = timescale;
        TotalDuration = duration;
        Interval = interval;
        _timestamps = timestamps;
        _offsets = offsets;
    }

    /// <summary>The time units per second of the timestamps (the sample rate for MP3/ADTS, the media timescale for MP4).</summary>
    public int Timescale { get; }

    /// <summary>The duration of the whole stream in <see cref="Timescale"/> units (all frames, before gapless trimming).</summary>
    public long TotalDuration { get; }

    /// <summary>The time between entries in <see cref="Timescale"/> units, or 0 when entries are not evenly spaced.</summary>
    public long Interval { get; }

    /// <summary>The number of entries.</summary>
    public int Count => _offsets.Length;

    /// <summary>The entry at <paramref name="index"/>.</summary>
    public SeekPoint this[int index] => new(TimestampAt(index), _offsets[index], Timescale);

    /// <summary>
    /// The last entry that starts at or before <paramref name="time"/> (the first entry for a negative time, the last past
    /// the end). Reading from its <see cref="SeekPoint.ByteOffset"/> reaches <paramref name="time"/> within one interval.
    /// </summary>
    /// <exception cref="InvalidOperationException">The index has no entry.</exception>
    public SeekPoint Find(TimeSpan time) => this[IndexOf(time)];

    /// <summary>The index of <see cref="Find"/>'s entry: the last that starts at or before <paramref name="time"/> (0 for a
    /// negative time, the last past the end). The next entry, if any, is at this + 1.</summary>
    /// <exception cref="InvalidOperationException">The index has no entry.</exception>
    public int IndexOf(TimeSpan time)
    {
        if (Count == 0)
        {
            throw new InvalidOperationException("The seek index has no entry (the track has no audio frame).");
        }

        long ts = TargetOf(time);
        int i;
        if (_timestamps is null)
        {
            i = (int)Math.Min(ts / Interval, Count - 1);
        }
        else
        {
            i = Array.BinarySearch(_timestamps, ts);
            if (i < 0)
            {
                i = Math.Max(0, ~i - 1);
            }
        }

        return i;
    }

    /// <summary>
    /// For MP3 and ADTS: the frame that holds <paramref name="time"/>, found by walking frame headers forward from
    /// <see cref="Find"/>'s entry. <paramref name="fromEntry"/> holds the file's bytes from that entry's
    /// <see cref="SeekPoint.ByteOffset"/> (one interval of audio is always enough).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="fromEntry"/> ends before the frame that holds the time (for an
    /// interval with a long tag between two joined streams, see the overload that takes the interval's tail too).</exception>
    /// <exception cref="MediaFormatException">With <see cref="MediaErrorCode.Corrupt"/>: the bytes are not MP3/ADTS frames.</exception>
    public SeekPoint FindFrame(TimeSpan time, ReadOnlySpan<byte> fromEntry)
    {
        var walk = Walk(time, fromEntry);
        return walk.Found ? walk.Frame : throw new ArgumentException($"The {fromEntry.Length} bytes given end before the frame that holds {time}.", nameof(fromEntry));
    }

    /// <summary>
    /// <see cref="FindFrame(TimeSpan, ReadOnlySpan{byte})"/> for an interval too long to read whole: a tag or junk between two
    /// streams joined into one file (a cover picture of megabytes). <paramref name="fromEntry"/> holds the first bytes
    /// of the interval; when the frames there stop before the time (the tag runs past them), the frame is found in
    /// <paramref name="tail"/>, the bytes at <paramref name="tailOffset"/> that run to past the next entry's frame header:
    /// the chain of frames that ends exactly at the next entry and starts where the prober's count says the frames after
    /// the tag start (the interval's timestamps leave no other choice). Linear in the bytes given, whatever they hold.
    /// </summary>
    /// <param name="time">The time to start at.</param>
    /// <param name="fromEntry">The file's bytes from the entry's offset.</param>
    /// <param name="tailOffset">The file position of <paramref name="tail"/>'s first byte (at or after the entry).</param>
    /// <param name="tail">The file's bytes from <paramref name="tailOffset"/> to at least 16 bytes past the next entry's offset.</param>
    /// <exception cref="ArgumentException">The bytes given do not reach the frame that holds the time, or
    /// <paramref name="tail"/> does not cover the next entry's header.</exception>
    /// <exception cref="MediaFormatException">With <see cref="MediaErrorCode.Corrupt"/>: the bytes are not MP3/ADTS frames,
    /// or no chain of frames after the tag leads to the next entry with the samples the index counts.</exception>
    public SeekPoint FindFrame(TimeSpan time, ReadOnlySpan<byte> fromEntry, long tailOffset, ReadOnlySpan<byte> tail)
    {
        var walk = Walk(time, fromEntry);
        if (walk.Found)
        {
            return walk.Frame;
        }

        int entryIndex = IndexOf(time);
        long entryOffset = _offsets[entryIndex];
        if (entryIndex + 1 >= Count)
        {
            throw new ArgumentException($"The {fromEntry.Length} bytes given end before the frame that holds {time}, in the last interval (no next entry to walk back from).", nameof(fromEntry));
        }

        long nextOffset = _offsets[entryIndex + 1];
        long nextTimestamp = TimestampAt(entryIndex + 1);
        if (tailOffset < entryOffset || tailOffset > nextOffset || nextOffset - tailOffset > tail.Length - TailSlack)
        {
            throw new ArgumentException($"The tail ({tail.Length} bytes at {tailOffset}) must start at or after the entry ({entryOffset}) and reach {TailSlack} bytes past the next entry ({nextOffset}).", nameof(tail));
        }

        int next = (int)(nextOffset - tailOffset);
        int scanFrom = (int)Math.Clamp(entryOffset + walk.StopPosition - tailOffset, 0, next);
        int start = ChainStart(tail, scanFrom, next, walk.Stream, walk.FreeLength, nextTimestamp - walk.StopTimestamp);
        if (start < 0)
        {
            return ThrowHelper.ThrowCorrupt<SeekPoint>($"No chain of MP3 or ADTS frames of the stream leads to the next seek index entry with the {nextTimestamp - walk.StopTimestamp} samples the index counts after these bytes", tailOffset + scanFrom);
        }

        long target = TargetOf(time);
        long timestamp = walk.StopTimestamp;
        int pos = start;
        while (pos < next)
        {
            _ = TryFrameAt(tail, pos, walk.FreeLength, out int length, out int samples, out _); // ChainStart walked it
            if (timestamp + samples > target || timestamp + samples >= TotalDuration)
            {
                return new SeekPoint(timestamp, tailOffset + pos, Timescale);
            }

            timestamp += samples;
            pos += length;
        }

        return this[entryIndex + 1];
    }

    /// <summary>The bytes past the next entry's offset a window must hold, so its frame header (ADTS: 7 bytes) can be parsed.</summary>
    private const int TailSlack = 16;

    /// <summary>Where a walk from an entry found the frame, or where its frames stopped before the bytes ended.</summary>
    private readonly record struct WalkResult(bool Found, SeekPoint Frame, int StopPosition, long StopTimestamp, ulong Stream, int FreeLength);

    private long TargetOf(TimeSpan time) => time <= TimeSpan.Zero ? 0 : (long)(time.Ticks * (decimal)Timescale / TimeSpan.TicksPerSecond);

    /// <summary>
    /// Walks frames forward from <see cref="Find"/>'s entry to the one that holds <paramref name="time"/>. Not found: the
    /// bytes ended first (in frames, or in a tag or junk the resync could not see past: the next entry lies beyond them),
    /// and where and at which timestamp the frames stopped.
    /// </summary>
    private WalkResult Walk(TimeSpan time, ReadOnlySpan<byte> fromEntry)
    {
        int entryIndex = IndexOf(time);
        var entry = this[entryIndex];
        long nextEntry = entryIndex + 1 < Count ? _offsets[entryIndex + 1] - entry.ByteOffset : -1; // a frame the prober counted
        long target = TargetOf(time);
        long timestamp = entry.Timestamp;
        int pos = 0;
        int freeLength = 0; // free-format MP3: measured at the entry's frame (never in junk: the prober fixed it at its first sync)
        ulong? stream = null; // the header bits every frame of the stream shares (the prober's walk took no other frame)
        while (pos <= fromEntry.Length - Formats.Mp3.Mp3FrameHeader.Size)
        {
            uint raw = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(fromEntry[pos..]);
            if (pos == 0 && Formats.Mp3.FreeFormat.IsHeader(raw))
            {
                _ = Formats.Mp3.FreeFormat.Measure(fromEntry, pos, 2, final: true, out freeLength, out _);
            }

            if (!TryFrameAt(fromEntry, pos, freeLength, out int length, out int samples, out ulong signature) || signature != (stream ??= signature))
            {
                // Not a frame of the stream where one should start: the index points elsewhere (another file), or this is a
                // tag or junk between two streams joined into one file, which the prober's walk skipped (uncounted) to the
                // next header its following frames confirm. Skip it the same way.
                int next = stream is { } s && pos > 0 ? Resync(fromEntry, pos + 1, s, freeLength, nextEntry) : -1;
                if (next < 0)
                {
                    if (stream is { } known && pos > 0 && nextEntry > fromEntry.Length - Formats.Mp3.Mp3FrameHeader.Size)
                    {
                        // The tag or junk may run on past these bytes to frames before the next entry: too few bytes, not corrupt.
                        return new WalkResult(false, default, pos, timestamp, known, freeLength);
                    }

                    return ThrowHelper.ThrowCorrupt<WalkResult>(pos == 0 ? "No MP3 or ADTS frame where the seek index points" : "No MP3 or ADTS frame of the stream after these bytes, before the next seek index entry", entry.ByteOffset + pos);
                }

                pos = next;
                continue;
            }

            if (timestamp + samples > target || timestamp + samples >= TotalDuration)
            {
                return new WalkResult(true, new SeekPoint(timestamp, entry.ByteOffset + pos, Timescale), pos, timestamp, signature, freeLength);
            }

            timestamp += samples;
            pos += length;
        }

        return new WalkResult(false, default, pos, timestamp, stream ?? 0, freeLength);
    }

    /// <summary>
    /// The first position from <paramref name="from"/> where a chain of frames of the stream starts that ends exactly at
    /// <paramref name="end"/> and holds <paramref name="samples"/> samples, or -1. Computed backwards from the end in one
    /// pass (the samples from each position to the end, or none), so bytes full of false frame syncs cost no more than
    /// any others.
    /// </summary>
    private static int ChainStart(ReadOnlySpan<byte> data, int from, int end, ulong signature, int freeLength, long samples)
    {
        if (samples == 0)
        {
            return end;
        }

        int count = end - from + 1;
        int[] toEnd = ArrayPool<int>.Shared.Rent(count); // toEnd[i]: samples from position from + i to the end by frames of the stream, -1: none
        try
        {
            toEnd[count - 1] = 0;
            for (int pos = end - 1; pos >= from; pos--)
            {
                int rest = -1;
                if (data[pos] == 0xFF && TryFrameAt(data, pos, freeLength, out int length, out int frameSamples, out ulong sig) && sig == signature
                    && length > 0 && length <= end - pos && toEnd[pos + length - from] >= 0)
                {
                    rest = toEnd[pos + length - from] + frameSamples;
                }

                toEnd[pos - from] = rest;
            }

            for (int pos = from; pos < end; pos++)
            {
                long chain = toEnd[pos - from];
                if (chain == samples)
                {
                    return pos;
                }

                if (chain >= 0 && chain < samples)
                {
                    return -1; // the first chain to the end holds fewer samples than the index counts: the frames start before these bytes
                }
            }

            return -1;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(toEnd);
        }
    }

    /// <summary>An MP3 or ADTS frame header at <paramref name="pos"/>: its length, samples and stream signature.</summary>
    private static bool TryFrameAt(ReadOnlySpan<byte> data, int pos, int freeLength, out int length, out int samples, out ulong signature)
    {
        if (Formats.Adts.AdtsFrameHeader.TryParse(data[pos..], out var adts))
        {
            (length, samples, signature) = (adts.FrameLength, adts.SamplesPerFrame, adts.StreamSignature);
            return true;
        }

        if (pos <= data.Length - Formats.Mp3.Mp3FrameHeader.Size)
        {
            uint raw = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(data[pos..]);
            if (freeLength == 0 ? Formats.Mp3.Mp3FrameHeader.TryParse(raw, out var mp3) : Formats.Mp3.Mp3FrameHeader.TryParseFree(raw, freeLength, out mp3))
            {
                (length, samples, signature) = (mp3.FrameLength, mp3.SamplesPerFrame, freeLength == 0 ? mp3.StreamSignature : raw & Formats.Mp3.FreeFormat.StreamMask);
                return true;
            }
        }

        (length, samples, signature) = (0, 0, 0);
        return false;
    }

    /// <summary>
    /// The first position from <paramref name="from"/> where a frame of the stream (<paramref name="signature"/>) starts and
    /// the frames after it confirm it, as the prober's resync does (<see cref="MediaProbeOptions.SyncConfirmFrames"/> of
    /// the default options): that many frames, or a chain that reaches a tag, or one that reaches
    /// <paramref name="knownFrame"/> (the next entry: a frame the prober counted). A chain that runs past the end of these
    /// bytes counts only in the last interval (<paramref name="knownFrame"/> -1), where they may end with the file. -1 when
    /// there is none.
    /// </summary>
    private static int Resync(ReadOnlySpan<byte> data, int from, ulong signature, int freeLength, long knownFrame)
    {
        for (int candidate = from; candidate < data.Length; candidate++)
        {
            int ff = data[candidate..].IndexOf((byte)0xFF);
            if (ff < 0)
            {
                return -1;
            }

            candidate += ff;
            int pos = candidate;
            for (int k = 0; ; k++)
            {
                if (pos == knownFrame || k > MediaProbeOptions.Default.SyncConfirmFrames
                    || (k >= 1 && pos <= data.Length - Formats.Mp3.Mp3FrameHeader.Size && Formats.Mp3.FrameWalker.IsTagStart(data[pos..])))
                {
                    return candidate;
                }

                if (pos > data.Length - Formats.Mp3.Mp3FrameHeader.Size)
                {
                    if (k >= 1 && knownFrame < 0)
                    {
                        return candidate;
                    }

                    break;
                }

                if (!TryFrameAt(data, pos, freeLength, out int length, out _, out ulong sig) || sig != signature)
                {
                    break;
                }

                pos += length;
            }
        }

        return -1;
    }

    /// <summary>The serialized index (see <c>docs/seek-index.md</c>).</summary>
    public byte[] ToArray()
    {
        var writer = new ArrayBufferWriter<byte>(16 + (Count * 2));
        Span<byte> head = stackalloc byte[5];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(head, Magic);
        head[4] = FormatVersion;
        writer.Write(head);
        VarInt.Write(writer, (ulong)Timescale);
        VarInt.Write(writer, (ulong)TotalDuration);
        VarInt.Write(writer, (ulong)Interval);
        VarInt.Write(writer, (ulong)Count);
        if (_timestamps is not null)
        {
            WriteSeries(writer, _timestamps);
        }

        WriteSeries(writer, _offsets);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Reads an index written by <see cref="ToArray"/>, with the default limits.</summary>
    /// <exception cref="MediaFormatException">With <see cref="MediaErrorCode.Corrupt"/>: the bytes are not a valid index;
    /// with <see cref="MediaErrorCode.LimitExceeded"/>: more entries than <see cref="MediaProbeOptions.MaxSeekIndexEntries"/>.</exception>
    public static SeekIndex Parse(ReadOnlySpan<byte> data) => Parse(data, MediaProbeOptions.Default);

    /// <summary>Reads an index written by <see cref="ToArray"/>; at most <see cref="MediaProbeOptions.MaxSeekIndexEntries"/> entries.</summary>
    /// <exception cref="MediaFormatException">With <see cref="MediaErrorCode.Corrupt"/>: the bytes are not a valid index;
    /// with <see cref="MediaErrorCode.LimitExceeded"/>: more entries than <see cref="MediaProbeOptions.MaxSeekIndexEntries"/>.</exception>
    public static SeekIndex Parse(ReadOnlySpan<byte> data, MediaProbeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (data.Length < 5 || System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(data) != Magic)
        {
            ThrowHelper.ThrowCorrupt("Not a seek index: the 'MLSI' signature is missing.");
        }

        if (data[4] != FormatVersion)
        {
            ThrowHelper.ThrowCorrupt($"Seek index format version {data[4]} is not supported (expected {FormatVersion}).");
        }

        int pos = 5;
        ulong timescale = VarInt.Read(data, ref pos);
        ulong duration = VarInt.Read(data, ref pos);
        ulong interval = VarInt.Read(data, ref pos);
        ulong count = VarInt.Read(data, ref pos);
        if (timescale is 0 or > int.MaxValue || duration > long.MaxValue || interval > int.MaxValue)
        {
            ThrowHelper.ThrowCorrupt("Seek index header is out of range.");
        }

        // Nothing is allocated until the count is backed: by the bytes (each entry takes at least one byte per series),
        // by the duration (evenly spaced entries lie inside the track), and by the options.
        int series = interval == 0 ? 2 : 1;
        if (count > (ulong)((data.Length - pos) / series))
        {
            ThrowHelper.ThrowCorrupt($"Seek index claims {count} entries but holds {data.Length - pos} bytes.");
        }

        if (interval != 0 && count > (duration / interval) + 1)
        {
            ThrowHelper.ThrowCorrupt($"Seek index claims {count} entries {interval} apart in a duration of {duration}.");
        }

        if (count > (ulong)options.MaxSeekIndexEntries)
        {
            ThrowHelper.ThrowLimit($"A seek index of {count} entries", options.MaxSeekIndexEntries, nameof(MediaProbeOptions.MaxSeekIndexEntries));
        }

        long[]? timestamps = null;
        if (interval == 0)
        {
            timestamps = new long[(int)count];
            ReadSeries(data, ref pos, timestamps, strictly: true, "time");
            if (count > 0 && timestamps[^1] > (long)duration)
            {
                ThrowHelper.ThrowCorrupt($"Seek index entry {count - 1} starts after the end of the track.");
            }
        }

        var offsets = new long[(int)count];
        ReadSeries(data, ref pos, offsets, strictly: false, "offset");
        if (pos != data.Length)
        {
            ThrowHelper.ThrowCorrupt($"Seek index has {data.Length - pos} bytes after its last entry.");
        }

        return new SeekIndex((int)timescale, (long)duration, (long)interval, timestamps, offsets);
    }

    private static void WriteSeries(ArrayBufferWriter<byte> writer, long[] values)
    {
        long previous = 0, previousDelta = 0;
        foreach (long v in values)
        {
            long delta = v - previous;
            VarInt.Write(writer, VarInt.ZigZag(delta - previousDelta));
            previousDelta = delta;
            previous = v;
        }
    }

    private static void ReadSeries(ReadOnlySpan<byte> data, ref int pos, long[] values, bool strictly, string what)
    {
        long previous = 0, previousDelta = 0;
        for (int i = 0; i < values.Length; i++)
        {
            long delta = previousDelta + VarInt.UnZigZag(VarInt.Read(data, ref pos));
            long v = previous + delta;
            if (v < 0)
            {
                ThrowHelper.ThrowCorrupt($"Seek index entry {i} is negative.");
            }

            if (i > 0 && (v < previous || (strictly && v == previous)))
            {
                ThrowHelper.ThrowCorrupt($"Seek index entry {i} goes backwards in {what}.");
            }

            values[i] = v;
            previousDelta = delta;
            previous = v;
        }
    }

    private long TimestampAt(int index) => _timestamps is null ? Interval * index : _timestamps[index];
}
