using System.Buffers;
using MusicLocker.Media.Internal;
using MusicLocker.Media.Tags;

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
        var walk = WalkFromEntry(time, fromEntry, bytesEndTheFile: true);
        return walk.Found ? walk.Frame : throw new ArgumentException($"The {fromEntry.Length} bytes given end before the frame that holds {time}.", nameof(fromEntry));
    }

    /// <summary>
    /// <see cref="FindFrame(TimeSpan, ReadOnlySpan{byte})"/> for an interval too long to read whole (a tag or junk of
    /// megabytes between two streams joined into one file): <paramref name="fromEntry"/> holds its first bytes and
    /// <paramref name="tail"/> its last ones, up to the next entry (in the last interval: the file's last bytes). When
    /// the frames in <paramref name="fromEntry"/> stop before the time, the walk goes on in <paramref name="tail"/>: from
    /// where they stopped, when the tail holds that byte (exactly the walk over the whole interval); otherwise from the
    /// first frame the tail resyncs on, timed back from the next entry (the walk from there must land on it) or from the
    /// end of the stream. Linear in the bytes given, whatever they hold.
    /// </summary>
    /// <param name="time">The time to start at.</param>
    /// <param name="fromEntry">The file's bytes from the entry's offset (not to the end of the file: frames that run past
    /// them are not taken, as they are by the other overload in the last interval).</param>
    /// <param name="tailOffset">The file position of <paramref name="tail"/>'s first byte (at or after the entry; it may
    /// overlap <paramref name="fromEntry"/>).</param>
    /// <param name="tail">The file's bytes from <paramref name="tailOffset"/> to at least the next entry's offset (16 bytes past
    /// it, where the file goes on, as for <paramref name="fromEntry"/>); in the last interval, to the end of the file.</param>
    /// <exception cref="ArgumentException">The bytes given do not reach the frame that holds the time, or
    /// <paramref name="tail"/> does not start between the entry and the next one and reach the next one.</exception>
    /// <exception cref="MediaFormatException">With <see cref="MediaErrorCode.Corrupt"/>: the bytes are not MP3/ADTS frames
    /// where the index says; or the frame lies in the bytes between the two that were not given (more than the tail's
    /// length of frames after a tag).</exception>
    public SeekPoint FindFrame(TimeSpan time, ReadOnlySpan<byte> fromEntry, long tailOffset, ReadOnlySpan<byte> tail)
    {
        var head = WalkFromEntry(time, fromEntry, bytesEndTheFile: false);
        if (head.Found)
        {
            return head.Frame;
        }

        int entryIndex = IndexOf(time);
        long entryOffset = _offsets[entryIndex];
        bool last = entryIndex + 1 >= Count;
        long nextOffset = last ? tailOffset + tail.Length : _offsets[entryIndex + 1];
        long endTimestamp = last ? TotalDuration : TimestampAt(entryIndex + 1); // at the next entry, or where the frames end
        if (tailOffset < entryOffset || tailOffset > nextOffset || nextOffset - tailOffset > tail.Length)
        {
            throw new ArgumentException($"The tail ({tail.Length} bytes at {tailOffset}) must start between the entry ({entryOffset}) and the next one ({nextOffset}) and reach the next one.", nameof(tail));
        }

        long target = TargetOf(time);
        long known = last ? -1 : nextOffset - tailOffset;
        long stopped = entryOffset + head.StopPosition;
        // In the last interval, where the audio ends (the trailing tags start), as the prober found it: the frames it counted end there.
        long audioEnd = last ? TrailingTagScanner.Scan(tail, tailOffset + tail.Length, tailOffset, new TagCollector(), MediaProbeOptions.Default) - tailOffset : long.MaxValue;
        Walker walker = new(tailOffset, head.Stream, head.FreeLength, known, bytesEndTheFile: last, audioEnd);
        if (stopped >= tailOffset)
        {
            // The tail holds every byte from where the head's frames stopped: go on there, as over the whole interval.
            var on = walker.Walk(tail, (int)(stopped - tailOffset), head.StopTimestamp, target, this);
            return on.Found ? on.Frame : throw new ArgumentException($"The bytes given end before the frame that holds {time}.", nameof(tail));
        }

        // The bytes between where the head's frames stopped and the tail were not read (the tag runs on past the head):
        // resync at the tail's start (the prober resynced on the first frame its following frames confirm after the
        // tag), count the samples from there to the next entry (or to where the frames end), and time the frames back.
        int first = Resync(tail, 0, head.Stream, head.FreeLength, known, bytesEndTheFile: last);
        var counted = first < 0 ? default : walker.Count(tail, first);
        if (!counted.Found || (last && counted.StopTimestamp == 0))
        {
            return ThrowHelper.ThrowCorrupt<SeekPoint>(last ? "No frames of the stream in the last bytes of the file" : "No frames of the stream lead to the next seek index entry in the last bytes of its interval", tailOffset + Math.Max(first, 0));
        }

        long firstTimestamp = endTimestamp - counted.StopTimestamp;
        if (firstTimestamp < head.StopTimestamp)
        {
            return ThrowHelper.ThrowCorrupt<SeekPoint>($"The frames {(last ? "at the end of the file" : "before the next seek index entry")} hold {counted.StopTimestamp} samples, more than the {endTimestamp - head.StopTimestamp} the index counts after the bytes before them", tailOffset + first);
        }

        if (target < firstTimestamp)
        {
            return ThrowHelper.ThrowCorrupt<SeekPoint>($"The frame that holds {time} lies in the {tailOffset + first - stopped} bytes of the seek index interval that are neither in its first nor in its last bytes read (more frames follow the tag than the tail holds)", stopped);
        }

        var found = walker.Walk(tail, first, firstTimestamp, target, this);
        return found.Found ? found.Frame : throw new ArgumentException($"The bytes given end before the frame that holds {time}.", nameof(tail));
    }

    /// <summary>Where a walk found the frame, or where and at which timestamp its frames stopped (the bytes ended first, or, when counting, the known frame was reached).</summary>
    private readonly record struct WalkResult(bool Found, SeekPoint Frame, int StopPosition, long StopTimestamp, ulong Stream, int FreeLength);

    private long TargetOf(TimeSpan time) => time <= TimeSpan.Zero ? 0 : (long)(time.Ticks * (decimal)Timescale / TimeSpan.TicksPerSecond);

    /// <summary>Walks frames forward from <see cref="Find"/>'s entry to the one that holds <paramref name="time"/>
    /// (<paramref name="bytesEndTheFile"/>: in the last interval, frames may run to the end of these bytes).</summary>
    private WalkResult WalkFromEntry(TimeSpan time, ReadOnlySpan<byte> fromEntry, bool bytesEndTheFile)
    {
        int entryIndex = IndexOf(time);
        var entry = this[entryIndex];
        long known = entryIndex + 1 < Count ? _offsets[entryIndex + 1] - entry.ByteOffset : -1; // a frame the prober counted
        int freeLength = 0; // free-format MP3: measured at the entry's frame (never in junk: the prober fixed it at its first sync)
        if (fromEntry.Length >= Formats.Mp3.Mp3FrameHeader.Size && Formats.Mp3.FreeFormat.IsHeader(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(fromEntry)))
        {
            _ = Formats.Mp3.FreeFormat.Measure(fromEntry, 0, 2, final: true, out freeLength, out _);
        }

        return new Walker(entry.ByteOffset, null, freeLength, known, bytesEndTheFile).Walk(fromEntry, 0, entry.Timestamp, TargetOf(time), this);
    }

    /// <summary>
    /// The walk of frame headers the prober did, over bytes at <paramref name="bytesOffset"/> in the file: frames of one
    /// stream (<paramref name="stream"/>: the header bits they share, the first frame's when unknown), tags and junk
    /// between them skipped to the next header its following frames confirm; <paramref name="known"/> (relative to the
    /// bytes, -1: none) is a frame the prober counted (the next entry).
    /// </summary>
    private readonly ref struct Walker(long bytesOffset, ulong? stream, int freeLength, long known, bool bytesEndTheFile, long audioEnd = long.MaxValue)
    {
        /// <summary>Walks from <paramref name="pos"/> (a frame of the stream, or where one should be) at <paramref name="timestamp"/> to the frame that holds <paramref name="target"/>.</summary>
        public WalkResult Walk(ReadOnlySpan<byte> data, int pos, long timestamp, long target, SeekIndex index) => Run(data, pos, timestamp, target, index, count: false);

        /// <summary>The samples from the frame at <paramref name="pos"/> to the known frame (Found, in StopTimestamp), or not
        /// found when the walk does not land on it; without a known frame (the last interval), to where the frames end.</summary>
        public WalkResult Count(ReadOnlySpan<byte> data, int pos) => Run(data, pos, 0, long.MaxValue, null, count: true);

        private WalkResult Run(ReadOnlySpan<byte> data, int pos, long timestamp, long target, SeekIndex? index, bool count)
        {
            int start = pos;
            ulong? signatureSeen = stream;
            while (pos <= data.Length - Formats.Mp3.Mp3FrameHeader.Size || (count && pos == known))
            {
                if (count && known >= 0 && pos >= known)
                {
                    return new WalkResult(pos == known, default, pos, timestamp, signatureSeen ?? 0, freeLength);
                }

                if (!TryFrameAt(data, pos, freeLength, out int length, out int samples, out ulong signature) || signature != (signatureSeen ??= signature))
                {
                    // Not a frame of the stream where one should start: the index points elsewhere (another file), or this is a
                    // tag or junk between two streams joined into one file, which the prober's walk skipped (uncounted) to the
                    // next header its following frames confirm. Skip it the same way.
                    bool atEntry = stream is null && pos == start;
                    int next = signatureSeen is { } s && !atEntry ? Resync(data, pos + 1, s, freeLength, known, bytesEndTheFile) : -1;
                    if (next < 0)
                    {
                        if (count)
                        {
                            return known < 0 ? new WalkResult(true, default, pos, timestamp, signatureSeen ?? 0, freeLength) : default;
                        }

                        if (signatureSeen is { } seen && !atEntry
                            && (known > data.Length - Formats.Mp3.Mp3FrameHeader.Size || (known < 0 && !bytesEndTheFile)))
                        {
                            // The tag or junk may run on past these bytes to frames before the next entry (or the file's end):
                            // too few bytes, not corrupt.
                            return new WalkResult(false, default, pos, timestamp, seen, freeLength);
                        }

                        return ThrowHelper.ThrowCorrupt<WalkResult>(atEntry ? "No MP3 or ADTS frame where the seek index points" : "No MP3 or ADTS frame of the stream after these bytes, before the next seek index entry", bytesOffset + pos);
                    }

                    pos = next;
                    continue;
                }

                if (count && known < 0 && pos + length > audioEnd)
                {
                    // A frame cut short by the file's end or overlapping a trailing tag: the prober did not count it.
                    return new WalkResult(true, default, pos, timestamp, signatureSeen ?? 0, freeLength);
                }

                if (!count && (timestamp + samples > target || timestamp + samples >= index!.TotalDuration))
                {
                    return new WalkResult(true, new SeekPoint(timestamp, bytesOffset + pos, index!.Timescale), pos, timestamp, signature, freeLength);
                }

                timestamp += samples;
                pos += length;
            }

            return new WalkResult(count && known < 0, default, pos, timestamp, signatureSeen ?? 0, freeLength);
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
    private static int Resync(ReadOnlySpan<byte> data, int from, ulong signature, int freeLength, long knownFrame, bool bytesEndTheFile)
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
                    if (k >= 1 && knownFrame < 0 && bytesEndTheFile && pos == data.Length)
                    {
                        return candidate; // a chain that ends exactly at the file's end (the prober's rule)
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
