using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace MusicLocker.Media.Diagnostics;

/// <summary>
/// The area's one <see cref="ActivitySource"/> and one <see cref="Meter"/>, both named <c>MusicLocker.Media</c> (see
/// docs/telemetry.md): a <c>media.probe</c> span per probe and the <c>musiclocker.media.probes</c> counter.
/// </summary>
internal static class MediaTelemetry
{
    public const string Name = "MusicLocker.Media";

    public const string ProbeSpan = "media.probe";

    public const string FormatTag = "musiclocker.media.format";

    public const string OutcomeTag = "outcome";

    public const string ErrorTypeTag = "error.type";

    private static readonly string? Version =
        typeof(MediaTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    public static readonly ActivitySource Source = new(Name, Version);

    public static readonly Meter Meter = new(Name, Version);

    public static readonly Counter<long> Probes = Meter.CreateCounter<long>("musiclocker.media.probes", "{probe}", "Probes, by format (mp3, adts, mp4, unknown) and outcome (ok, error)");

    /// <summary>The format tag of an accepted file.</summary>
    public static string FormatName(MediaContainer container) => container switch
    {
        MediaContainer.Mp3 => "mp3",
        MediaContainer.Adts => "adts",
        MediaContainer.Mp4 => "mp4",
        _ => "unknown",
    };
}
