using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MusicLocker.Media.Formats.Adts;
using MusicLocker.Media.Internal;

namespace MusicLocker.Media.Formats.Mp3;

/// <summary>
/// Walks a chain of MPEG audio or ADTS frames in one pass, fed in any chunk sizes: finds the first sync that the
/// following frames confirm, reads the Xing/Info/VBRI/LAME header of the first MP3 frame, counts every frame, keeps
/// every Nth frame start for the seek index, and resynchronises (again with confirmation) after junk.
/// </summary>
internal sealed class FrameWalker
{
    private const int RecentCapacity = 64;
    private readonly MediaProbeOptions _options;
    private readonly bool _adts;
    private readonly int _headerSize;
    private readonly long[] _recentOffset = new long[RecentCapacity];
    private readonly int[] _recentLength = new int[RecentCapacity];
    private int _recentCount;
    private int _recentNext;
    private ulong _signature;
    private bool _firstSeen;
    private int _lastBitrate = -1; // MP3: the bitrate index bits of the last frame
    private long _lostAt = -1;
    private uint _mask = StandardMask; // MP3: the header bits every frame of the stream shares
    private int _freeLength; // MP3 free format: the measured unpadded frame length; 0 for a table bitrate stream
    private int _freeAttempts;
    private const uint StandardMask = 0xFFFE0C00; // sync, version, layer, sample rate (Mp3FrameHeader.StreamSignature)
    private const int MaxFreeAttempts = 16; // free-format measurements that failed: junk made of such headers costs no more

    public FrameWalker(bool adts, MediaProbeOptions options, bool probeMode)
    {
        _adts = adts;
        _options = options;
        _headerSize = adts ? AdtsFrameHeader.Size : Mp3FrameHeader.Size;
        ProbeMode = probeMode;
    }

    public bool IsAdts => _adts;

    public bool ProbeMode { get; }

    /// <summary>In probe mode: the head says all that is needed (Xing/VBRI frame count); the rest need not be walked.</summary>
    public bool HeadDone { get; private set; }

    public long FirstFrameOffset { get; private set; } = -1;

    public int FirstFrameLength { get; private set; }

    /// <summary>The first audio frame (after a Xing/Info/VBRI frame).</summary>
    public long FirstAudioOffset { get; private set; } = -1;

    public long FrameCount { get; private set; }

    public long Samples { get; private set; }

    public long AudioBytes { get; private set; }

    public long LastFrameEnd { get; private set; }

    public bool BitrateVaries { get; private set; }

    public bool AdtsVbrSignalled { get; private set; }

    public long JunkBytes { get; private set; }

    public Mp3FrameHeader FirstMp3 { get; private set; }

    public AdtsFrameHeader FirstAdts { get; private set; }

    public XingHeader? Xing { get; private set; }

    public VbriHeader? Vbri { get; private set; }

    public int SamplesPerFrame { get; private set; }

    public int SampleRate { get; private set; }

    public SeekIndexBuilder? SeekIndex { get; private set; }

    /// <summary>Whether the stream is free-format MP3 (bitrate index 0, the frame length measured).</summary>
    public bool IsFreeFormat => _freeLength > 0;

    public List<MediaWarning> Warnings { get; } = [];

    /// <summary>Whether an MPEG header at the start of <paramref name="data"/> is Layer I/II (to name it when refusing).</summary>
    public static string? OtherLayerName(ReadOnlySpan<byte> data) =>
        Mp3FrameHeader.TryParse(data, out var h) && h.Layer != 3 ? h.ProfileName : null;

    private enum Check
    {
        Valid,
        Invalid,
        NeedMore,
    }

    /// <summary>Whether a sync at <paramref name="at"/> is confirmed by the frames after it: 1 yes, 0 no, -1 more bytes needed (<paramref name="needed"/> from <paramref name="at"/>).</summary>
    public int CheckSync(ReadOnlySpan<byte> data, int at, bool final, out int needed)
    {
        var r = CheckChain(data, at, final, requiredSignature: null, out needed, out ulong sig);
        if (r == Check.Valid)
        {
            _signature = sig;
            return 1;
        }

        return r == Check.NeedMore ? -1 : 0;
    }

    /// <summary>Walks frames from the start of <paramref name="data"/>; returns bytes consumed (past the data when a frame continues beyond it).</summary>
    public int Walk(ReadOnlySpan<byte> data, long position, bool final, out int need)
    {
        need = 0;
        if (_lostAt >= 0)
        {
            int skipped = Resync(data, position, final, out need, out bool resynced);
            if (!resynced)
            {
                return skipped;
            }

            data = data[skipped..];
            position += skipped;
            int n = Walk(data, position, final, out need);
            return skipped + n;
        }

        if (!_firstSeen)
        {
            return WalkFirst(data, position, final, out need);
        }

        int pos = _adts ? 0 : WalkMp3(data, position);
        while (true)
        {
            if (pos > data.Length - _headerSize)
            {
                need = _headerSize;
                if (final && pos < data.Length)
                {
                    _lostAt = position + pos;
                }

                return pos;
            }

            if (!TryFrame(data[pos..], out int length, out ulong sig, out int bitrate, out int samples) || sig != _signature)
            {
                _lostAt = position + pos;
                int n = Resync(data[pos..], position + pos, final, out need, out bool resynced);
                if (!resynced)
                {
                    return pos + n;
                }

                pos += n;
                if (!_adts)
                {
                    pos += WalkMp3(data[pos..], position + pos);
                }

                continue;
            }

            if (bitrate != _lastBitrate)
            {
                BitrateVaries |= _lastBitrate >= 0;
                _lastBitrate = bitrate;
            }

            Count(position + pos, length, samples);
            pos += length;
            if (pos > data.Length)
            {
                return pos;
            }
        }
    }

    /// <summary>
    /// The MP3 fast path: hops from header to header while each matches the stream, with one table lookup per frame and
    /// the counters in locals. Returns where it stopped (a header it cannot judge alone, or the end of the data); the
    /// general loop takes over from there.
    /// </summary>
    private int WalkMp3(ReadOnlySpan<byte> data, long position)
    {
        ref byte start = ref MemoryMarshal.GetReference(data);
        uint signature = (uint)_signature;
        uint mask = _mask;
        int free = _freeLength;
        int spf = SamplesPerFrame;
        long frames = FrameCount, samples = Samples, bytes = AudioBytes;
        long maxFrames = _options.MaxFrames;
        var index = SeekIndex!;
        long nextMark = index.NextTimestamp;
        uint lastBitrate = _lastBitrate < 0 ? uint.MaxValue : (uint)_lastBitrate;
        bool varies = BitrateVaries;
        int pos = 0;
        int lastPos = -1, lastLength = 0;
        int limit = data.Length - Mp3FrameHeader.Size;
        while (pos <= limit)
        {
            uint raw = BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, pos)));
            int length = free == 0 ? Mp3FrameHeader.LengthOf(raw) : free + (int)((raw >> 9) & 1);
            if ((raw & mask) != signature || length == 0 || frames >= maxFrames)
            {
                break;
            }

            uint bitrateBits = (raw >> 12) & 15;
            if (bitrateBits != lastBitrate)
            {
                varies |= lastBitrate != uint.MaxValue;
                lastBitrate = bitrateBits;
            }

            if (samples >= nextMark)
            {
                index.Add(samples, position + pos);
                nextMark = index.NextTimestamp;
            }

            if (lastPos >= 0)
            {
                Remember(position + lastPos, lastLength);
            }

            lastPos = pos;
            lastLength = length;
            frames++;
            samples += spf;
            bytes += length;
            pos += length;
        }

        if (lastPos >= 0)
        {
            Remember(position + lastPos, lastLength);
            LastFrameEnd = position + lastPos + lastLength;
        }

        FrameCount = frames;
        Samples = samples;
        AudioBytes = bytes;
        BitrateVaries = varies;
        if (lastBitrate != uint.MaxValue)
        {
            _lastBitrate = (int)lastBitrate;
        }

        return pos;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Remember(long offset, int length)
    {
        _recentOffset[_recentNext] = offset;
        _recentLength[_recentNext] = length;
        _recentNext = (_recentNext + 1) & (RecentCapacity - 1);
        _recentCount = Math.Min(_recentCount + 1, RecentCapacity);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryFrame(ReadOnlySpan<byte> data, out int length, out ulong signature, out int bitrate, out int samples)
    {
        if (_adts)
        {
            if (AdtsFrameHeader.TryParse(data, out var a))
            {
                length = a.FrameLength;
                signature = a.StreamSignature;
                bitrate = 0;
                samples = a.SamplesPerFrame;
                return true;
            }
        }
        else if (TryMp3(BinaryPrimitives.ReadUInt32BigEndian(data), out var h))
        {
            length = h.FrameLength;
            signature = BinaryPrimitives.ReadUInt32BigEndian(data) & _mask;
            bitrate = (int)((BinaryPrimitives.ReadUInt32BigEndian(data) >> 12) & 15);
            samples = h.SamplesPerFrame;
            return true;
        }

        length = samples = bitrate = 0;
        signature = 0;
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryMp3(uint raw, out Mp3FrameHeader header) =>
        _freeLength == 0 ? Mp3FrameHeader.TryParse(raw, out header) : Mp3FrameHeader.TryParseFree(raw, _freeLength, out header);

    private int WalkFirst(ReadOnlySpan<byte> data, long position, bool final, out int need)
    {
        need = _headerSize;
        if (!TryFrame(data, out int length, out ulong sig, out int bitrate, out int samples))
        {
            return ThrowHelper.ThrowCorrupt<int>("Lost the first frame after confirming it", position);
        }

        FirstFrameOffset = position;
        FirstFrameLength = length;
        SamplesPerFrame = samples;
        _signature = sig;
        if (_adts)
        {
            _ = AdtsFrameHeader.TryParse(data, out var a);
            FirstAdts = a;
            SampleRate = a.SampleRate;
            AdtsVbrSignalled = ((data[5] & 0x1F) == 0x1F) && ((data[6] & 0xFC) == 0xFC);
        }
        else
        {
            _ = TryMp3(BinaryPrimitives.ReadUInt32BigEndian(data), out var h);
            FirstMp3 = h;
            SampleRate = h.SampleRate;
            if (data.Length < length && !final)
            {
                need = length;
                return 0;
            }

            var frame = data[..Math.Min(length, data.Length)];
            if (XingHeader.TryParse(frame, h, out var xing))
            {
                Xing = xing;
            }
            else if (VbriHeader.TryParse(frame, out var vbri))
            {
                Vbri = vbri;
            }
        }

        _firstSeen = true;
        long interval = Math.Max(1, (long)(_options.SeekIndexInterval.TotalSeconds * SampleRate) / samples) * samples;
        SeekIndex = new SeekIndexBuilder(SampleRate, interval, _options.MaxSeekIndexEntries);
        if (Xing is not null || Vbri is not null)
        {
            // The header frame is not audio: it decodes to silence that no encoder counted.
            FirstAudioOffset = position + length;
            if (ProbeMode && !_options.RequireSeekIndex && ((Xing?.Frames ?? 0) > 0 || (Vbri?.Frames ?? 0) > 0))
            {
                HeadDone = true;
                return length;
            }

            return length;
        }

        FirstAudioOffset = position;
        _lastBitrate = bitrate;
        Count(position, length, samples);
        return length;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Count(long offset, int length, int samples)
    {
        if (FrameCount >= _options.MaxFrames)
        {
            ThrowHelper.ThrowLimit("The number of audio frames", _options.MaxFrames, nameof(MediaProbeOptions.MaxFrames), offset);
        }

        SeekIndex!.Add(Samples, offset);
        Remember(offset, length);
        FrameCount++;
        Samples += samples;
        AudioBytes += length;
        LastFrameEnd = offset + length;
    }

    private int Resync(ReadOnlySpan<byte> data, long position, bool final, out int need, out bool resynced)
    {
        resynced = false;
        need = _headerSize;
        int pos = 0;
        while (true)
        {
            int ff = data[pos..].IndexOf((byte)0xFF);
            if (ff < 0)
            {
                return data.Length;
            }

            int candidate = pos + ff;
            switch (CheckChain(data, candidate, final, _signature, out int needed, out _))
            {
                case Check.Valid:
                    long junk = position + candidate - _lostAt;
                    JunkBytes += junk;
                    Warn(_lostAt, $"Skipped {junk} bytes that are not audio frames");
                    _lostAt = -1;
                    resynced = true;
                    return candidate;
                case Check.NeedMore:
                    need = needed;
                    return candidate;
                default:
                    pos = candidate + 1;
                    if (pos >= data.Length)
                    {
                        return data.Length;
                    }

                    break;
            }
        }
    }

    private Check CheckChain(ReadOnlySpan<byte> data, int at, bool final, ulong? requiredSignature, out int needed, out ulong signature)
    {
        needed = 0;
        signature = 0;
        int pos = at;
        for (int k = 0; k <= _options.SyncConfirmFrames; k++)
        {
            if (pos > data.Length - _headerSize)
            {
                if (k >= 1 && pos <= data.Length)
                {
                    var rest = data[pos..];
                    if (final && (rest.IsEmpty || IsTagStart(rest)))
                    {
                        return Check.Valid;
                    }

                    if (rest.Length >= 3 && IsTagStart(rest))
                    {
                        return Check.Valid;
                    }
                }

                if (final)
                {
                    return Check.Invalid;
                }

                needed = pos + _headerSize - at;
                return Check.NeedMore;
            }

            if (!TryFrame(data[pos..], out int length, out ulong sig, out _, out _))
            {
                if (k == 0 && requiredSignature is null && !_adts && _freeLength == 0 && FreeFormat.IsHeader(BinaryPrimitives.ReadUInt32BigEndian(data[pos..])))
                {
                    return MeasureFreeFormat(data, at, final, out needed, out signature);
                }

                return k >= 1 && IsTagStart(data[pos..]) ? Check.Valid : Check.Invalid;
            }

            if (k == 0)
            {
                if (requiredSignature is { } r && r != sig)
                {
                    return Check.Invalid;
                }

                signature = sig;
            }
            else if (sig != signature)
            {
                return Check.Invalid;
            }

            pos += length;
        }

        return Check.Valid;
    }

    /// <summary>
    /// A free-format header where a stream may start: its frame length is measured from the headers after it; once
    /// measured, this walker reads the stream's frames at that length (and only frames of bitrate index 0, the same
    /// version, layer, sample rate and channel mode).
    /// </summary>
    private Check MeasureFreeFormat(ReadOnlySpan<byte> data, int at, bool final, out int needed, out ulong signature)
    {
        signature = 0;
        needed = 0;
        if (_freeAttempts >= MaxFreeAttempts)
        {
            return Check.Invalid;
        }

        switch (FreeFormat.Measure(data, at, _options.SyncConfirmFrames, final, out int length, out needed))
        {
            case 1:
                _freeLength = length;
                _mask = FreeFormat.StreamMask;
                signature = BinaryPrimitives.ReadUInt32BigEndian(data[at..]) & FreeFormat.StreamMask;
                return Check.Valid;
            case -1:
                return Check.NeedMore;
            default:
                _freeAttempts++;
                return Check.Invalid;
        }
    }

    internal static bool IsTagStart(ReadOnlySpan<byte> data) =>
        data.StartsWith("TAG"u8) || data.StartsWith("APETAGEX"u8) || data.StartsWith("LYRICSBEGIN"u8) || data.StartsWith("ID3"u8);

    /// <summary>Whether a bounded range probe stopped the walk before the end (<see cref="MediaProbeOptions.FrameWalkLimit"/>).</summary>
    public bool WalkStopped { get; private set; }

    public void StopWalk() => WalkStopped = true;

    /// <summary>Ends the walk at <paramref name="audioEnd"/> (where trailing tags start): frames that reach past it were cut short or are not audio.</summary>
    public void EndAt(long audioEnd)
    {
        int dropped = 0;
        long truncatedAt = -1;
        while (_recentCount > 0)
        {
            int last = (_recentNext - 1 + RecentCapacity) % RecentCapacity;
            long end = _recentOffset[last] + _recentLength[last];
            if (end <= audioEnd)
            {
                break;
            }

            truncatedAt = _recentOffset[last];
            FrameCount--;
            Samples -= SamplesPerFrame;
            AudioBytes -= _recentLength[last];
            _recentNext = last;
            _recentCount--;
            dropped++;
        }

        if (dropped > 0)
        {
            SeekIndex?.TruncateAt(truncatedAt);
            Warn(truncatedAt, dropped == 1 ? "The last frame is cut short (truncated file): not counted" : $"{dropped} frames at the end are cut short or overlap a tag: not counted");
        }

        LastFrameEnd = _recentCount > 0
            ? _recentOffset[(_recentNext - 1 + RecentCapacity) % RecentCapacity] + _recentLength[(_recentNext - 1 + RecentCapacity) % RecentCapacity]
            : Math.Min(LastFrameEnd, audioEnd);
        if (audioEnd > LastFrameEnd && FrameCount > 0)
        {
            JunkBytes += audioEnd - LastFrameEnd;
            Warn(LastFrameEnd, $"{audioEnd - LastFrameEnd} bytes after the last frame are neither audio nor a tag");
        }
    }

    private void Warn(long offset, string message)
    {
        if (Warnings.Count < 32)
        {
            Warnings.Add(new MediaWarning(offset, message));
        }
    }
}
