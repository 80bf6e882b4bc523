using MusicLocker.Media.Formats.Mp3;
using MusicLocker.Media.Formats.Mp4;
using MusicLocker.Media.Internal;
using MusicLocker.Media.Tags;

namespace MusicLocker.Media.Parsing;

/// <summary>Turns what the walkers found into a <see cref="MediaInfo"/>.</summary>
internal static class MediaInfoBuilder
{
    /// <summary>A year: no real track is longer, and durations stay far from TimeSpan's range.</summary>
    private const long MaxSeconds = 366L * 86400;

    public static MediaInfo FromFrames(FrameWalker w, TagCollector tags, ReadOnlySpan<byte> tail, long fileLength, MediaProbeOptions options, bool probeMode)
    {
        long minOffset = w.FirstFrameOffset + Math.Max(1, w.FirstFrameLength);
        long audioEnd = TrailingTagScanner.Scan(tail, fileLength, Math.Min(minOffset, fileLength), tags, options);
        bool walked = !w.HeadDone;
        bool estimated = walked && w.WalkStopped && w.LastFrameEnd < audioEnd && w.AudioBytes > 0;
        if (walked && !estimated)
        {
            w.EndAt(audioEnd);
        }

        var warnings = new List<MediaWarning>(tags.Warnings);
        warnings.AddRange(w.Warnings);
        long frames;
        DurationSource source;
        uint headerFrames = w.Xing?.Frames ?? w.Vbri?.Frames ?? 0;
        if (estimated)
        {
            // Frames counted over a prefix, scaled by the audio bytes: exact for CBR, close for VBR.
            frames = Math.Max(1, (long)Math.Round(w.FrameCount * (double)(audioEnd - w.FirstAudioOffset) / w.AudioBytes));
            source = DurationSource.Estimated;
        }
        else if (walked)
        {
            frames = w.FrameCount;
            source = DurationSource.FrameWalk;
            if (headerFrames > 0 && headerFrames != frames)
            {
                warnings.Add(new MediaWarning(w.FirstFrameOffset, $"The {(w.Xing is not null ? "Xing/Info" : "VBRI")} header counts {headerFrames} frames but the file holds {frames} (the walked count is used)"));
            }
        }
        else
        {
            frames = headerFrames;
            source = w.Xing is not null ? DurationSource.XingHeader : DurationSource.VbriHeader;
        }

        if (frames == 0)
        {
            ThrowHelper.ThrowEmpty(w.FrameCount == 0 && (w.Xing is not null || w.Vbri is not null)
                ? "The file holds only a Xing/Info header frame and no audio"
                : "The file holds no complete audio frame");
        }

        int spf = w.SamplesPerFrame;
        int rate = w.SampleRate;
        long encoded = frames * spf;
        int delay = w.Xing?.Lame?.Delay ?? 0;
        int padding = w.Xing?.Lame?.Padding ?? 0;
        if (delay + padding >= encoded)
        {
            warnings.Add(new MediaWarning(w.FirstFrameOffset, "The LAME tag's delay and padding exceed the audio: ignored"));
            delay = padding = 0;
        }

        long audioBytes = walked && !estimated ? w.AudioBytes : Math.Max(0, audioEnd - w.FirstAudioOffset);
        double seconds = (double)encoded / rate;
        int kbps = seconds > 0 ? (int)Math.Round(audioBytes * 8 / seconds / 1000) : 0;
        bool adts = w.IsAdts;
        bool vbr = adts
            ? w.AdtsVbrSignalled
            : walked ? w.BitrateVaries : (w.Xing is { IsInfo: false } || w.Vbri is not null);
        return new MediaInfo
        {
            Container = adts ? MediaContainer.Adts : MediaContainer.Mp3,
            Codec = adts ? AudioCodec.Aac : AudioCodec.Mp3,
            CodecProfile = adts ? AdtsProfile(w.FirstAdts.ObjectType) : w.FirstMp3.ProfileName,
            SampleRate = rate,
            Channels = adts ? w.FirstAdts.Channels : w.FirstMp3.Channels,
            FrameCount = frames,
            EncodedSamples = encoded,
            PlayableSamples = encoded - delay - padding,
            DurationSource = source,
            BitrateKbps = kbps,
            IsVbr = vbr,
            EncoderDelay = delay,
            EncoderPadding = padding,
            Encoder = w.Xing?.Lame?.Encoder,
            AacObjectType = adts ? w.FirstAdts.ObjectType : null,
            MpegVersion = adts ? null : w.FirstMp3.Version,
            AudioOffset = w.FirstFrameOffset,
            AudioLength = Math.Max(0, audioEnd - w.FirstFrameOffset),
            FileLength = fileLength,
            Tags = tags.Build(),
            Pictures = [.. tags.Pictures],
            SeekIndex = walked && !estimated ? w.SeekIndex?.Build(w.Samples) : null,
            Warnings = warnings,
        };
    }

    private static string AdtsProfile(int objectType) => objectType switch
    {
        1 => "AAC Main",
        2 => "AAC LC",
        3 => "AAC SSR",
        _ => "AAC LTP",
    };

    public static MediaInfo FromMp4(Mp4Walker m, TagCollector tags, long fileLength, MediaProbeOptions options)
    {
        if (m.MoovOffset < 0)
        {
            ThrowHelper.ThrowCorrupt("The MP4 file has no 'moov' box: it is cut short, or an upload that never finished");
        }

        if (!m.MoovDone)
        {
            ThrowHelper.ThrowCorrupt("The MP4 'moov' box is cut short by the end of the file", m.MoovOffset);
        }

        Mp4Track? track = null;
        foreach (var t in m.Tracks)
        {
            if (t.Handler == FourCC.Soun && t.Entry is not null)
            {
                track = t;
                break;
            }
        }

        if (track is null)
        {
            ThrowHelper.ThrowUnsupported(m.VideoLikeHandlers.Contains(FourCC.Vide)
                ? "The MP4 file is a video without an audio track"
                : "The MP4 file has no audio track");
        }

        RefuseVideo(m, track);
        var entry = track.Entry!;
        AudioCodec codec;
        if (entry.Format == FourCC.Mp4a)
        {
            codec = entry.ObjectTypeIndication switch
            {
                0x40 or 0x66 or 0x67 or 0x68 => AudioCodec.Aac,
                0x69 or 0x6B => AudioCodec.Mp3,
                0 => ThrowHelper.ThrowCorrupt<AudioCodec>("The MP4 audio track's 'esds' box is missing or unreadable", m.MoovOffset),
                var oti => Unsupported(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"MPEG-4 audio with object type 0x{oti:X2}")),
            };
        }
        else if (entry.Format == FourCC.Mp3Entry)
        {
            codec = AudioCodec.Mp3;
        }
        else
        {
            codec = Unsupported(entry.Format switch
            {
                FourCC.Alac => "Apple Lossless (ALAC)",
                FourCC.Ac3 => "Dolby Digital (AC-3)",
                FourCC.Ec3 => "Dolby Digital Plus (E-AC-3)",
                FourCC.Opus => "Opus",
                FourCC.Flac => "FLAC",
                FourCC.Samr => "AMR",
                var f => $"'{FourCC.ToText(f)}' audio",
            });
        }

        var asc = codec == AudioCodec.Aac ? entry.Config : null;
        if (codec == AudioCodec.Aac && asc is null)
        {
            ThrowHelper.ThrowCorrupt("The MP4 AAC track has no AudioSpecificConfig in its 'esds' box", m.MoovOffset);
        }

        int rate = asc?.OutputSampleRate ?? entry.SampleRate;
        int channels = asc is { Channels: > 0 } a ? a.Channels : entry.Channels;
        var warnings = new List<MediaWarning>(tags.Warnings);
        warnings.AddRange(m.Warnings);
        if (asc is { } c0 && c0.Channels > 0 && entry.Channels != c0.Channels && entry.Channels > 0)
        {
            warnings.Add(new MediaWarning(m.MoovOffset, $"The sample entry says {entry.Channels} channels, the AudioSpecificConfig {c0.Channels}: the AudioSpecificConfig is used"));
        }

        if (m.MdatPayloadOffset >= 0 && !m.MdatOpenEnded && m.MdatPayloadLength > fileLength - m.MdatPayloadOffset)
        {
            warnings.Add(new MediaWarning(m.MdatOffset, $"mdat runs {m.MdatPayloadLength - (fileLength - m.MdatPayloadOffset)} bytes past the end of the file (truncated file)"));
        }

        uint timescale = track.Timescale != 0 ? track.Timescale : m.MovieTimescale;
        if (timescale == 0 || rate <= 0)
        {
            ThrowHelper.ThrowCorrupt("The MP4 audio track has no timescale or sample rate", m.MoovOffset);
        }

        var (frames, duration, bytes, source, index) = CountSamples(m, track, timescale, fileLength, options, warnings);
        if (duration == 0 && frames == 0)
        {
            ThrowHelper.ThrowEmpty("The MP4 audio track holds no samples");
        }

        long encoded = Rescale(duration, rate, timescale);
        if (encoded / rate > MaxSeconds)
        {
            ThrowHelper.ThrowCorrupt($"The MP4 audio track claims {encoded / rate / 86400} days of audio", m.MoovOffset);
        }
        long delay = 0, padding = 0, playable = encoded;
        if (m.ITunSmpb is { } smpb)
        {
            delay = smpb.Delay;
            padding = smpb.Padding;
            playable = smpb.Samples > 0 ? smpb.Samples : encoded - delay - padding;
        }
        else if (track.EditMediaTime >= 0 && (track.EditMediaTime > 0 || track.EditCount > 0) && m.MovieTimescale > 0)
        {
            delay = Rescale(track.EditMediaTime, rate, timescale);
            long segment = Rescale((long)Math.Min(track.EditSegmentDuration, long.MaxValue / 2), rate, m.MovieTimescale);
            playable = segment > 0 ? Math.Min(segment, encoded - delay) : encoded - delay;
            padding = Math.Max(0, encoded - delay - playable);
        }

        if (playable < 0 || playable > encoded || delay + padding > encoded)
        {
            warnings.Add(new MediaWarning(m.MoovOffset, "The gapless information exceeds the audio: ignored"));
            delay = padding = 0;
            playable = encoded;
        }

        double seconds = (double)encoded / rate;
        int kbps = seconds > 0 ? (int)Math.Round(bytes * 8 / seconds / 1000) : 0;

        long audioOffset = m.MdatPayloadOffset >= 0 ? m.MdatPayloadOffset : track.ChunkOffsets.Length > 0 ? track.ChunkOffsets[0] : 0;
        long audioLength = m.MdatPayloadOffset >= 0 ? Math.Min(m.MdatPayloadLength, fileLength - m.MdatPayloadOffset) : bytes;
        return new MediaInfo
        {
            Container = MediaContainer.Mp4,
            Codec = codec,
            CodecProfile = asc?.ProfileName ?? "MPEG-1 Layer III",
            SampleRate = rate,
            Channels = channels,
            FrameCount = frames,
            EncodedSamples = encoded,
            PlayableSamples = playable,
            DurationSource = source,
            BitrateKbps = kbps,
            IsVbr = track.SampleSizesVary(),
            EncoderDelay = (int)Math.Min(delay, int.MaxValue),
            EncoderPadding = (int)Math.Min(padding, int.MaxValue),
            Encoder = m.Encoder,
            FastStart = m.MdatOffset < 0 || m.MoovOffset < m.MdatOffset,
            AacObjectType = asc?.Ps == true ? 29 : asc?.Sbr == true ? 5 : asc?.CoreObjectType,
            AudioOffset = audioOffset,
            AudioLength = Math.Max(0, audioLength),
            FileLength = fileLength,
            Tags = tags.Build(),
            Pictures = [.. tags.Pictures],
            SeekIndex = index,
            Warnings = warnings,
        };
    }

    /// <summary>
    /// The samples of the track that the file really holds, their duration and bytes: from the sample tables (walked,
    /// never sized by a count they claim), the fragments, or else the media header.
    /// </summary>
    private static (long Frames, long Duration, long Bytes, DurationSource Source, SeekIndex? Index) CountSamples(
        Mp4Walker m, Mp4Track track, uint timescale, long fileLength, MediaProbeOptions options, List<MediaWarning> warnings)
    {
        // The sample data present: the mdat payload(s), cut at the end of the file.
        long dataStart = m.MdatPayloadOffset >= 0 ? m.MdatPayloadOffset : 0;
        long dataEnd = m.MdatPayloadOffset >= 0 ? m.MdatPayloadOffset + Math.Min(m.MdatPayloadLength, fileLength - m.MdatPayloadOffset) : 0;
        SeekIndexBuilder? builder = null;
        Mp4Samples tables = default;
        if (track.HasSampleTables)
        {
            builder = new SeekIndexBuilder((int)Math.Min(timescale, int.MaxValue), Math.Max(1, (long)(options.SeekIndexInterval.TotalSeconds * timescale)), options.MaxSeekIndexEntries);
            tables = track.WalkSamples(dataStart, dataEnd, options.MaxFrames, builder);
            long claimed = track.ClaimedSampleCount();
            if (claimed != tables.Count)
            {
                warnings.Add(new MediaWarning(m.MoovOffset, $"The MP4 sample tables count {claimed} samples but {tables.Count} have bytes in the file (truncated or damaged tables): {tables.Count} are counted"));
            }
        }

        if (track.FragmentSamples > 0)
        {
            // Fragmented MP4: the samples of moov's tables (if any) come first, then every moof/traf/trun of the track.
            long samples = tables.Count + track.FragmentSamples;
            if (samples > options.MaxFrames)
            {
                ThrowHelper.ThrowLimit("The number of MP4 samples", options.MaxFrames, nameof(MediaProbeOptions.MaxFrames), m.MoovOffset);
            }

            if (track.FragmentSamples > dataEnd - dataStart)
            {
                ThrowHelper.ThrowCorrupt($"The MP4 fragments claim {track.FragmentSamples} samples but the file holds {Math.Max(0, dataEnd - dataStart)} bytes of sample data", m.MoovOffset);
            }

            if (tables.Bytes + track.FragmentBytes > dataEnd - dataStart)
            {
                warnings.Add(new MediaWarning(m.MoovOffset, $"The MP4 fragments claim {track.FragmentBytes} bytes of samples but the file holds {dataEnd - dataStart} (truncated file)"));
            }

            long total = tables.Duration + track.FragmentDuration;
            if (m.FragmentMovieDuration > 0 && m.MovieTimescale > 0
                && Math.Abs(((double)m.FragmentMovieDuration / m.MovieTimescale) - ((double)total / timescale)) > 1)
            {
                warnings.Add(new MediaWarning(m.MoovOffset, $"The MP4 'mehd' box says {(double)m.FragmentMovieDuration / m.MovieTimescale:0.###} s, the samples hold {(double)total / timescale:0.###} s: the samples are counted"));
            }

            builder ??= new SeekIndexBuilder((int)Math.Min(timescale, int.MaxValue), Math.Max(1, (long)(options.SeekIndexInterval.TotalSeconds * timescale)), options.MaxSeekIndexEntries);
            if (track.FragmentIndex is { } fragments)
            {
                builder.Append(fragments, tables.Duration - track.FragmentTimeBase);
            }

            return (samples, total, tables.Bytes + track.FragmentBytes, DurationSource.SampleTable, builder.Build(total));
        }

        if (track.HasSampleTables)
        {
            return (tables.Count, tables.Duration, tables.Bytes, DurationSource.SampleTable, tables.Count > 0 ? builder!.Build(tables.Duration) : null);
        }

        if (track.HasSampleTableBoxes || m.MdatPayloadOffset < 0 || m.MdatPayloadLength <= 0)
        {
            // Empty tables (or an empty mdat) say there is no audio: a header duration alone is not a track.
            ThrowHelper.ThrowEmpty($"The MP4 audio track holds no samples (its sample tables are empty; mdat holds {Math.Max(0, m.MdatPayloadLength)} bytes): the header's duration has no audio behind it");
        }

        long duration = (long)Math.Min(track.MediaDuration, long.MaxValue / 2);
        if (duration == 0 && m.MovieTimescale > 0)
        {
            // No media duration: the track header's, else the movie header's, both in the movie timescale.
            ulong movie = track.TrackDuration != 0 ? track.TrackDuration : m.MovieDuration;
            duration = Rescale((long)Math.Min(movie, (ulong)int.MaxValue * 1000), timescale, m.MovieTimescale);
        }

        if (m.Fragmented)
        {
            warnings.Add(new MediaWarning(m.MoovOffset, "Fragmented MP4: the duration comes from the media header"));
        }

        return (0, duration, track.FragmentBytes, DurationSource.MediaHeader, null);
    }

    /// <summary>
    /// A music video (a video track of moving pictures beside the audio) is refused: the locker stores and streams audio
    /// files, and the audio of such a file is interleaved with video it would hand out too. A single-picture video track
    /// (how some tools store cover art) is only a picture and is ignored.
    /// </summary>
    private static void RefuseVideo(Mp4Walker m, Mp4Track audio)
    {
        foreach (var t in m.Tracks)
        {
            if (t != audio && t.Handler == FourCC.Vide && t.ClaimedSampleCount() + t.FragmentSamples > 1)
            {
                ThrowHelper.ThrowUnsupported($"The MP4 file is a video (a 'vide' track of {t.ClaimedSampleCount() + t.FragmentSamples} frames) with an audio track: a music locker accepts audio-only files (extract the audio, e.g. ffmpeg -i in.mp4 -vn -c:a copy out.m4a)", m.MoovOffset);
            }
        }
    }

    private static long Rescale(long value, long rate, long timescale)
    {
        if (timescale == rate)
        {
            return value;
        }

        decimal r = Math.Round((decimal)value * rate / timescale);
        return r <= long.MaxValue / 4 ? (long)r : ThrowHelper.ThrowCorrupt<long>($"An MP4 duration of {value} at timescale {timescale} is out of range");
    }

    private static AudioCodec Unsupported(string name)
    {
        ThrowHelper.ThrowUnsupported($"The MP4 file holds {name}, not AAC or MP3: a music locker accepts MP3 and AAC only");
        return default;
    }
}
