namespace MusicLocker.Media;

/// <summary>What a probe found in an accepted file: format, exact duration, tags, cover art, and where the audio is.</summary>
public sealed record MediaInfo
{
    /// <summary>The container.</summary>
    public required MediaContainer Container { get; init; }

    /// <summary>The codec.</summary>
    public required AudioCodec Codec { get; init; }

    /// <summary>A readable name of the codec profile: <c>MPEG-1 Layer III</c>, <c>AAC LC</c>, <c>HE-AAC v2</c>, …</summary>
    public required string CodecProfile { get; init; }

    /// <summary>The output sample rate in Hz (for HE-AAC, the rate after SBR).</summary>
    public required int SampleRate { get; init; }

    /// <summary>The number of output channels (the AudioSpecificConfig's for AAC, not the MP4 sample entry's; 2 for parametric stereo).</summary>
    public required int Channels { get; init; }

    /// <summary>The number of audio frames (MP3, ADTS) or samples (MP4 access units); a Xing/Info/VBRI frame is not counted.</summary>
    public required long FrameCount { get; init; }

    /// <summary>The number of PCM samples per channel the encoder produced, before removing encoder delay and padding.</summary>
    public required long EncodedSamples { get; init; }

    /// <summary>The number of PCM samples per channel to play: <see cref="EncodedSamples"/> less the encoder delay and padding the file declares.</summary>
    public required long PlayableSamples { get; init; }

    /// <summary>The exact playable duration (gapless: encoder delay and padding removed when the file declares them).</summary>
    public TimeSpan Duration => SampleRate > 0 ? TimeSpan.FromTicks((long)(PlayableSamples * (decimal)TimeSpan.TicksPerSecond / SampleRate)) : TimeSpan.Zero;

    /// <summary>The playable duration in seconds.</summary>
    public double DurationSeconds => SampleRate > 0 ? (double)PlayableSamples / SampleRate : 0;

    /// <summary>Where the frame count comes from.</summary>
    public required DurationSource DurationSource { get; init; }

    /// <summary>Whether <see cref="Duration"/> and <see cref="FrameCount"/> are estimated (<see cref="DurationSource.Estimated"/>), not exact.</summary>
    public bool IsDurationEstimated => DurationSource == DurationSource.Estimated;

    /// <summary>The average bitrate of the audio in kbit/s (audio bytes over playing time of all frames).</summary>
    public required int BitrateKbps { get; init; }

    /// <summary>Whether the bitrate varies from frame to frame.</summary>
    public required bool IsVbr { get; init; }

    /// <summary>The encoder delay in samples (LAME tag, <c>iTunSMPB</c> or MP4 edit list), 0 when not declared.</summary>
    public int EncoderDelay { get; init; }

    /// <summary>The encoder padding in samples at the end, 0 when not declared.</summary>
    public int EncoderPadding { get; init; }

    /// <summary>The encoder named in the file (<c>LAME3.100</c>, <c>Lavf59.27.100</c>), when it names one.</summary>
    public string? Encoder { get; init; }

    /// <summary>For MP4, whether <c>moov</c> comes before <c>mdat</c> (playable while downloading); <see langword="null"/> for other containers.</summary>
    public bool? FastStart { get; init; }

    /// <summary>The AAC audio object type (2 = LC, 5 = SBR, 29 = PS), for AAC.</summary>
    public int? AacObjectType { get; init; }

    /// <summary>The MPEG audio version (1, 2, or 25 for 2.5), for MP3.</summary>
    public int? MpegVersion { get; init; }

    /// <summary>The byte position of the first audio frame (MP3, ADTS) or of the <c>mdat</c> payload (MP4).</summary>
    public required long AudioOffset { get; init; }

    /// <summary>The number of bytes of audio from <see cref="AudioOffset"/> (tags at either end excluded).</summary>
    public required long AudioLength { get; init; }

    /// <summary>The length of the file in bytes.</summary>
    public required long FileLength { get; init; }

    /// <summary>The normalised tags and every raw field.</summary>
    public required AudioTags Tags { get; init; }

    /// <summary>The front cover (or else the first picture), located and not read.</summary>
    public CoverArtInfo? CoverArt => Pictures.Count == 0 ? null : FindCover(Pictures);

    /// <summary>Every picture in the tags, located and not read.</summary>
    public IReadOnlyList<CoverArtInfo> Pictures { get; init; } = [];

    /// <summary>The time → byte offset index, when the probe walked every frame (always for a stream probe) or read MP4 sample tables.</summary>
    public SeekIndex? SeekIndex { get; init; }

    /// <summary>What was odd but accepted (a truncated last frame, junk skipped, a tag that could not be read).</summary>
    public IReadOnlyList<MediaWarning> Warnings { get; init; } = [];

    private static CoverArtInfo FindCover(IReadOnlyList<CoverArtInfo> pictures)
    {
        foreach (var p in pictures)
        {
            if (p.PictureType == 3)
            {
                return p;
            }
        }

        return pictures[0];
    }
}
