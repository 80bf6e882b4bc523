using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace MusicLocker.AspNetCore.Diagnostics;

/// <summary>
/// The ASP.NET Core layer's <see cref="System.Diagnostics.ActivitySource"/> and <see cref="Meter"/>, both named
/// <c>MusicLocker.AspNetCore</c> (docs/telemetry.md, "AspNetCore").
/// </summary>
internal static class AspNetCoreTelemetry
{
    public const string SourceName = "MusicLocker.AspNetCore";

    private static readonly string? Version = typeof(AspNetCoreTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    public static ActivitySource ActivitySource { get; } = new(SourceName, Version);

    public static Meter Meter { get; } = new(SourceName, Version);

    /// <summary>Track answers by status (<c>http.response.status_code</c>); a client gone mid-answer counts as 499.</summary>
    public static Counter<long> TrackResponses { get; } =
        Meter.CreateCounter<long>("musiclocker.http.track_responses", "{response}", "Answers to track GET/HEAD requests, by status code.");

    /// <summary>Signed URLs and share links refused (tag <c>reason</c>: expired, invalid, user, permission).</summary>
    public static Counter<long> TokenRejections { get; } =
        Meter.CreateCounter<long>("musiclocker.http.token_rejections", "{rejection}", "Signed URL or share tokens refused, by reason.");

    public static Activity? StartTrack(Guid trackId)
    {
        var activity = ActivitySource.StartActivity("http.track", ActivityKind.Internal);
        activity?.SetTag("musiclocker.track", trackId.ToString("D"));
        return activity;
    }

    public static void Answered(Activity? activity, int status)
    {
        activity?.SetTag("http.response.status_code", status);
        TrackResponses.Add(1, new KeyValuePair<string, object?>("http.response.status_code", status));
    }

    public static void ClientGone(Activity? activity)
    {
        activity?.SetTag("musiclocker.client_gone", true);
        TrackResponses.Add(1, new KeyValuePair<string, object?>("http.response.status_code", 499));
    }

    public static void Failed(Activity? activity, string errorType)
    {
        if (activity is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, errorType);
            activity.SetTag("error.type", errorType);
        }
    }
}
