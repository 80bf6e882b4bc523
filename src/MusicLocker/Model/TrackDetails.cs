namespace MusicLocker;

/// <summary>What the upload's single pass learned about a track's audio: format, exact length, gapless data, cover art, seek index.</summary>
public sealed record TrackDetails
{
    /// <summary>The container (<c>mp3</c>, <c>adts</c>, <c>mp4</c>).</summary>
    public required string Container { get; init; }

    /// <summary>The codec profile (e.g. <c>MPEG-1 Layer III</c>, <c>AAC-LC</c>).</summary>
    public required string CodecProfile { get; init; }

    /// <summary>Samples per second.</summary>
    public required int SampleRate { get; init; }

    /// <summary>Channels.</summary>
    public required int Channels { get; init; }

    /// <summary>Samples encoded, priming and padding included.</summary>
    public required long EncodedSamples { get; init; }

    /// <summary>Samples a gapless player plays (<see cref="EncodedSamples"/> less <see cref="EncoderDelay"/> and <see cref="EncoderPadding"/>).</summary>
    public required long PlayableSamples { get; init; }

    /// <summary>Priming samples to skip at the start (LAME tag, <c>iTunSMPB</c> or edit list).</summary>
    public required int EncoderDelay { get; init; }

    /// <summary>Padding samples to drop at the end.</summary>
    public required int EncoderPadding { get; init; }

    /// <summary>The exact playable duration.</summary>
    public TimeSpan Duration => SampleRate > 0 ? TimeSpan.FromTicks((long)(PlayableSamples * (decimal)TimeSpan.TicksPerSecond / SampleRate)) : TimeSpan.Zero;

    /// <summary>Where the audio payload starts in the file (after leading tags).</summary>
    public required long AudioOffset { get; init; }

    /// <summary>The audio payload's length (what <see cref="LockerTrack.AudioHash"/> hashes).</summary>
    public required long AudioLength { get; init; }

    /// <summary>The cover art's MIME type, or <see langword="null"/> when the file has none.</summary>
    public string? CoverArtMimeType { get; init; }

    /// <summary>The seek index (time → byte offset, about one entry a second) in the format of <c>docs/seek-index.md</c>; empty when none was built.</summary>
    public ReadOnlyMemory<byte> SeekIndex { get; init; }
}
