using System.Globalization;
using MusicLocker.Media.Formats.Mp3;
using MusicLocker.Media.Formats.Mp4;
using MusicLocker.Media.Internal;
using MusicLocker.Media.Tags;
using MusicLocker.Media.Tags.Id3v2;

namespace MusicLocker.Media.Parsing;

/// <summary>
/// The one parser behind every probe: a forward state machine fed bytes in order, in any chunk sizes. Each call
/// consumes what it can and says how many bytes it needs next; a return past the end of the data is a skip (picture
/// data, frame payloads, <c>mdat</c>), which a range reader turns into a jump and a stream reader into discarding.
/// </summary>
internal sealed class MediaParserCore
{
    private readonly MediaProbeOptions _options;
    private readonly bool _probeMode;
    private readonly long? _fileLength;
    private readonly TagCollector _tags = new();
    private Stage _stage = Stage.Start;
    private Id3v2TagStreamer? _id3;
    private FrameWalker? _frames;
    private Mp4Walker? _mp4;
    private FrameWalker? _mpegCandidate;
    private FrameWalker? _adtsCandidate;
    private long _detectStart = -1;
    private bool _sawTag;
    private const int FreeFormatHeaders = 4;
    private long _lastFreeFormat = -1;
    private uint _freeFormatSignature;
    private int _freeFormatCount;
    private int _junkValue = -1; // the one value every byte skipped before the audio had so far; -1 none yet, -2 mixed

    public MediaParserCore(MediaProbeOptions options, bool probeMode, long? fileLength)
    {
        _options = options;
        _probeMode = probeMode;
        _fileLength = fileLength;
    }

    private enum Stage
    {
        Start,
        Id3,
        Detect,
        Frames,
        Mp4,
    }

    /// <summary>Range probing: the head was read far enough; what is left is the tail (MP3/ADTS) or nothing (MP4).</summary>
    public bool HeadDone => (_frames?.HeadDone ?? false) || (_mp4?.HeadDone ?? false);

    /// <summary>Range probing: every frame must be walked, so the rest of the file is read in one sequential stream.</summary>
    public bool Streaming => _stage == Stage.Frames && !HeadDone;

    /// <summary>Range probing: where the frame walk started (the first audio frame), or -1 before it.</summary>
    public long WalkStart => _stage == Stage.Frames ? _frames!.FirstFrameOffset : -1;

    /// <summary>Range probing bounded by <see cref="MediaProbeOptions.FrameWalkLimit"/>: stops the walk; <see cref="Finish"/> estimates.</summary>
    public void StopWalk() => _frames?.StopWalk();

    /// <summary>Range probing: how much to read at once from the current position.</summary>
    public int PreferredRead => _mp4?.PreferredRead ?? 0;

    /// <summary>Whether the container needs the tail of the file (trailing tags).</summary>
    public bool NeedsTail => _stage is Stage.Frames;

    public long Parse(ReadOnlySpan<byte> data, long position, bool final, out int need)
    {
        long consumed = 0;
        while (true)
        {
            need = 0;
            var rest = consumed <= data.Length ? data[(int)consumed..] : default;
            long at = position + consumed;
            switch (_stage)
            {
                case Stage.Start:
                    if (rest.Length < Id3v2Header.Size && !final)
                    {
                        need = Id3v2Header.Size;
                        return consumed;
                    }

                    if (Id3v2Header.TryParse(rest, out var header))
                    {
                        _sawTag = true;
                        _id3 = new Id3v2TagStreamer(header, at, _tags, _options);
                        _stage = Stage.Id3;
                    }
                    else
                    {
                        _stage = Stage.Detect;
                    }

                    continue;

                case Stage.Id3:
                    {
                        long n = _id3!.Parse(rest, at, final, out need);
                        consumed += n;
                        if (_id3.Done)
                        {
                            _stage = Stage.Start;
                            if (consumed > data.Length)
                            {
                                need = 0;
                                return consumed;
                            }

                            continue;
                        }

                        return consumed;
                    }

                case Stage.Detect:
                    {
                        long n = Detect(rest, at, final, out need, out bool found);
                        consumed += n;
                        if (!found)
                        {
                            return consumed;
                        }

                        continue;
                    }

                case Stage.Frames:
                    return consumed + _frames!.Walk(rest, at, final, out need);

                case Stage.Mp4:
                    return consumed + _mp4!.Parse(rest, at, final, out need);
            }
        }
    }

    private long Detect(ReadOnlySpan<byte> data, long position, bool final, out int need, out bool found)
    {
        found = false;
        need = 0;
        if (_detectStart < 0)
        {
            if (data.Length < FormatSniffer.HeaderSize && !final)
            {
                need = FormatSniffer.HeaderSize;
                return 0;
            }

            _detectStart = position;
            if (FormatSniffer.Protected(data) is { } drm)
            {
                ThrowHelper.ThrowDrm($"The file is {drm}", position);
            }

            if (FormatSniffer.Refused(data) is { } name)
            {
                ThrowHelper.ThrowUnsupported($"The file is {name}, not MP3 or AAC: a music locker accepts MP3 (.mp3) and AAC (.m4a, .aac) files only", position);
            }

            if (FormatSniffer.LooksLikeMp4(data))
            {
                _mp4 = new Mp4Walker(_options, _tags, _probeMode, _fileLength);
                _stage = Stage.Mp4;
                found = true;
                return 0;
            }
        }

        int pos = 0;
        while (true)
        {
            if (position + pos - _detectStart > _options.MaxLeadingJunk)
            {
                ThrowNoSync(position + pos, atEnd: false);
            }

            int ff = data[pos..].IndexOf((byte)0xFF);
            if (ff < 0 || pos + ff + 1 >= data.Length)
            {
                int end = ff < 0 ? data.Length : pos + ff;
                NoteJunk(data[pos..(final ? data.Length : end)]);
                if (final)
                {
                    ThrowNoSync(position + data.Length, atEnd: true);
                }

                need = 8;
                return end;
            }

            int candidate = pos + ff;
            NoteJunk(data[pos..candidate]);
            bool adts = (data[candidate + 1] & 0xF6) == 0xF0;
            var walker = adts ? (_adtsCandidate ??= new FrameWalker(true, _options, _probeMode)) : (_mpegCandidate ??= new FrameWalker(false, _options, _probeMode));
            switch (walker.CheckSync(data, candidate, final, out int needed))
            {
                case 1:
                    if (!adts && FrameWalker.OtherLayerName(data[candidate..]) is { } layer)
                    {
                        ThrowHelper.ThrowUnsupported($"The file is {layer} audio (MP1/MP2), not MP3: a music locker accepts MP3 and AAC only", position + candidate);
                    }

                    if (position + candidate > _detectStart && _junkValue is not (-1 or 0))
                    {
                        _tags.Warn(_detectStart, $"Skipped {position + candidate - _detectStart} bytes before the first audio frame");
                    }

                    _frames = walker;
                    _stage = Stage.Frames;
                    found = true;
                    return candidate;
                case -1:
                    need = needed;
                    return candidate;
                default:
                    if (!adts)
                    {
                        NoteFreeFormat(data[candidate..], position + candidate);
                    }

                    NoteJunk(data.Slice(candidate, 1)); // a 0xFF that starts no frame is junk too
                    pos = candidate + 1;
                    break;
            }
        }
    }

    /// <summary>
    /// Free-format MP3 (bitrate index 0) is read when its frame length can be measured (<see cref="FreeFormat"/>). When
    /// it cannot — <see cref="FreeFormatHeaders"/> such headers of one stream signature (version, layer, protection,
    /// sample rate, channel mode) that no chain of equal-length frames follows — the file is refused naming free format,
    /// instead of as "no audio".
    /// </summary>
    private void NoteFreeFormat(ReadOnlySpan<byte> data, long at)
    {
        if (data.Length < 4 || at <= _lastFreeFormat)
        {
            return;
        }

        uint raw = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(data);
        bool freeFormat = (raw & 0xFFE00000) == 0xFFE00000 && ((raw >> 19) & 3) != 1 && ((raw >> 17) & 3) == 1
            && ((raw >> 12) & 15) == 0 && ((raw >> 10) & 3) != 3;
        if (!freeFormat)
        {
            return;
        }

        uint signature = raw & 0xFFFF0CC0;
        _lastFreeFormat = at;
        _freeFormatCount = signature == _freeFormatSignature ? _freeFormatCount + 1 : 1;
        _freeFormatSignature = signature;
        if (_freeFormatCount >= FreeFormatHeaders)
        {
            ThrowHelper.ThrowUnsupported("The file looks like free-format MP3 (bitrate index 0: its frames carry no length), but its frames do not follow each other at one length: re-encode it at a standard bitrate", _detectStart);
        }
    }

    private void NoteJunk(ReadOnlySpan<byte> junk)
    {
        if (junk.IsEmpty || _junkValue == -2)
        {
            return;
        }

        if (_junkValue == -1)
        {
            _junkValue = junk[0];
        }

        if (junk.IndexOfAnyExcept((byte)_junkValue) >= 0)
        {
            _junkValue = -2;
        }
    }

    /// <summary>Refuses a file where no frame was found, saying what was found instead (and how much of it was examined).</summary>
    private void ThrowNoSync(long position, bool atEnd)
    {
        long scanned = position - _detectStart;
        string what = atEnd ? $"all {scanned} bytes" : $"the first {scanned} bytes";
        if (_junkValue is -1 or 0)
        {
            ThrowHelper.ThrowEmpty(position == 0
                ? "The file is empty"
                : _sawTag
                    ? _junkValue == -1 ? "The file holds tags but no audio" : $"The file holds tags but no audio: {what} after them are zero bytes"
                    : atEnd ? "The file holds only zero bytes" : $"The file holds no audio: {what} are zero bytes");
        }

        string found = _junkValue >= 0
            ? string.Create(CultureInfo.InvariantCulture, $"{what} are 0x{_junkValue:X2}")
            : $"no frame sync or known signature in {what}";
        if (_sawTag)
        {
            ThrowHelper.ThrowCorrupt($"No MP3 or AAC frame found after the ID3v2 tag: {found}", _detectStart);
        }

        ThrowHelper.ThrowUnsupported($"The file is not MP3, AAC or MP4 audio: {found}", _detectStart);
    }

    /// <summary>
    /// Range probing: whether the Xing/VBRI header's counts cannot be true of this file, so the frames must be walked: the
    /// file is shorter than the bytes it counts (a cut upload), or its audio bytes could not hold the frames it counts
    /// (fewer than that many of the shortest frames, or more than that many of the longest). A count is only a claim.
    /// </summary>
    public bool HeaderCountContradicted(ReadOnlySpan<byte> tail, long fileLength)
    {
        if (_frames is not { HeadDone: true } w)
        {
            return false;
        }

        long audioEnd = TrailingTagScanner.Scan(tail, fileLength, Math.Min(w.FirstFrameOffset + w.FirstFrameLength, fileLength), new TagCollector(), _options);
        uint declaredBytes = w.Xing?.Bytes ?? w.Vbri?.Bytes ?? 0;
        if (declaredBytes != 0 && audioEnd - w.FirstFrameOffset < declaredBytes)
        {
            return true;
        }

        long frames = w.Xing?.Frames ?? w.Vbri?.Frames ?? 0;
        long audio = audioEnd - w.FirstAudioOffset;
        var (min, max) = w.FirstMp3.StreamFrameLengths();
        return frames > _options.MaxFrames || frames * min > audio || frames * max < audio;
    }

    /// <summary>Ends the parse: <paramref name="tail"/> holds the last bytes of the file (for trailing tags).</summary>
    public MediaInfo Finish(ReadOnlySpan<byte> tail, long fileLength)
    {
        if (fileLength == 0)
        {
            ThrowHelper.ThrowEmpty("The file is empty (0 bytes)");
        }

        switch (_stage)
        {
            case Stage.Frames:
                return MediaInfoBuilder.FromFrames(_frames!, _tags, tail, fileLength, _options, _probeMode);
            case Stage.Mp4:
                return MediaInfoBuilder.FromMp4(_mp4!, _tags, fileLength, _options);
            case Stage.Detect:
                ThrowNoSync(fileLength, atEnd: true);
                break;
        }

        ThrowHelper.ThrowEmpty(_sawTag ? "The file holds an ID3v2 tag but no audio" : "The file holds no audio");
        return null!;
    }
}
