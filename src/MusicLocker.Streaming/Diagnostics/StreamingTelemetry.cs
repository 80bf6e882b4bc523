using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;
using MusicLocker.Storage;

namespace MusicLocker.Streaming.Diagnostics;

/// <summary>
/// The streaming layer's <see cref="System.Diagnostics.ActivitySource"/> and <see cref="System.Diagnostics.Metrics.Meter"/>,
/// both named <c>MusicLocker.Streaming</c>: one <c>streaming.range</c> span per range written to a pipe, the bytes
/// streamed and the time to first byte. Names: docs/telemetry.md.
/// </summary>
internal static class StreamingTelemetry
{
    public const string SourceName = "MusicLocker.Streaming";

    private static readonly string? Version = typeof(StreamingTelemetry).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    public static ActivitySource ActivitySource { get; } = new(SourceName, Version);

    public static Meter Meter { get; } = new(SourceName, Version);

    public static Counter<long> BytesStreamed { get; } =
        Meter.CreateCounter<long>("musiclocker.streaming.bytes", "By", "Bytes written into a pipe by the range reader.");

    public static Histogram<double> TimeToFirstByte { get; } =
        Meter.CreateHistogram<double>("musiclocker.streaming.time_to_first_byte", "s", "From the start of a range read to the first bytes flushed into the pipe.");

    public static Activity? StartRange(BlobKey key, long offset, long length)
    {
        var activity = ActivitySource.StartActivity("streaming.range", ActivityKind.Internal);
        if (activity is not null)
        {
            activity.SetTag("musiclocker.blob.key", key.Value);
            activity.SetTag("musiclocker.range.offset", offset);
            activity.SetTag("musiclocker.range.length", length);
        }

        return activity;
    }

    public static void Fail(Activity? activity, Exception exception)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag("error.type", exception switch
        {
            BlobStoreException b => b.ErrorCode.ToString(),
            Media.MediaFormatException m => m.ErrorCode.ToString(),
            _ => exception.GetType().FullName ?? "Exception",
        });
        activity.SetStatus(ActivityStatusCode.Error, exception.Message);
    }
}
