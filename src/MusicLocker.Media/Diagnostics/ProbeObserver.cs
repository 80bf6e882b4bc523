using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace MusicLocker.Media.Diagnostics;

/// <summary>Records one probe: its <c>media.probe</c> span, the probes counter and a log line per warning or refusal.</summary>
internal sealed class ProbeObserver(ILogger logger)
{
    public static readonly ProbeObserver None = new(Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

    /// <summary>Starts the span (null when nobody listens); <paramref name="startTime"/> backdates it (a push parser's creation).</summary>
    public static Activity? Start(DateTimeOffset startTime = default) =>
        MediaTelemetry.Source.StartActivity(MediaTelemetry.ProbeSpan, ActivityKind.Internal, parentContext: default, startTime: startTime);

    public MediaInfo Succeeded(Activity? activity, MediaInfo info)
    {
        string format = MediaTelemetry.FormatName(info.Container);
        if (activity is not null)
        {
            activity.SetTag(MediaTelemetry.FormatTag, format);
            activity.SetTag(MediaTelemetry.OutcomeTag, "ok");
        }

        // Counted while the span is current, so a listener can tie the count to it.
        MediaTelemetry.Probes.Add(1, new KeyValuePair<string, object?>(MediaTelemetry.FormatTag, format), new KeyValuePair<string, object?>(MediaTelemetry.OutcomeTag, "ok"));
        activity?.Dispose();
        if (logger.IsEnabled(LogLevel.Information))
        {
            foreach (var w in info.Warnings)
            {
                MediaLog.ProbeWarning(logger, format, w);
            }
        }

        return info;
    }

    public void Failed(Activity? activity, Exception exception)
    {
        string errorType = exception is MediaFormatException m ? m.ErrorCode.ToString() : exception.GetType().FullName ?? exception.GetType().Name;
        if (activity is not null)
        {
            activity.SetTag(MediaTelemetry.FormatTag, "unknown");
            activity.SetTag(MediaTelemetry.OutcomeTag, "error");
            activity.SetTag(MediaTelemetry.ErrorTypeTag, errorType);
            activity.SetStatus(ActivityStatusCode.Error, exception.Message);
        }

        MediaTelemetry.Probes.Add(1, new KeyValuePair<string, object?>(MediaTelemetry.FormatTag, "unknown"), new KeyValuePair<string, object?>(MediaTelemetry.OutcomeTag, "error"));
        activity?.Dispose();
        if (exception is MediaFormatException e)
        {
            MediaLog.ProbeRefused(logger, e.ErrorCode, e.Offset, e);
        }
    }
}
