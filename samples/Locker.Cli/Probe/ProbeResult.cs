using System.Text.Json.Serialization;

namespace Locker.Cli.Probe;

/// <summary>One file of <c>locker probe --json</c>.</summary>
internal sealed record ProbeResult
{
    public required string Path { get; init; }

    public required bool Ok { get; init; }

    public string? Container { get; init; }

    public string? Codec { get; init; }

    public string? Profile { get; init; }

    public double? DurationSeconds { get; init; }

    public int? SampleRate { get; init; }

    public int? Channels { get; init; }

    public int? BitrateKbps { get; init; }

    public long? FrameCount { get; init; }

    public bool? Vbr { get; init; }

    public int? EncoderDelay { get; init; }

    public int? EncoderPadding { get; init; }

    public bool? FastStart { get; init; }

    public ProbeTags? Tags { get; init; }

    public ProbeCoverArt? CoverArt { get; init; }

    public IReadOnlyList<string>? Warnings { get; init; }

    public ProbeError? Error { get; init; }
}

/// <summary>The normalised tags.</summary>
internal sealed record ProbeTags(string? Title, string? Artist, string? AlbumArtist, string? Album, int? TrackNumber, int? TrackCount,
    int? DiscNumber, int? DiscCount, int? Year, string? Genre, string? Comment);

/// <summary>Where the cover is (its bytes are not read).</summary>
internal sealed record ProbeCoverArt(string MimeType, long Length);

/// <summary>Why a file was refused.</summary>
internal sealed record ProbeError(string Code, string Message);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = true)]
[JsonSerializable(typeof(List<ProbeResult>))]
internal sealed partial class ProbeJsonContext : JsonSerializerContext;
