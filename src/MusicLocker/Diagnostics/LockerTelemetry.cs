using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace MusicLocker.Diagnostics;

/// <summary>
/// The locker facade's <see cref="ActivitySource"/> and <see cref="Meter"/>, both named <see cref="Name"/> (see
/// docs/telemetry.md, "Locker"). Each facade operation is one <c>locker.&lt;operation&gt;</c> span around the layers' own.
/// </summary>
internal static class LockerTelemetry
{
    /// <summary>The name of the activity source and the meter.</summary>
    public const string Name = "MusicLocker.Locker";

    private static readonly string? Version =
        typeof(LockerTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    public static readonly ActivitySource Source = new(Name, Version);

    public static readonly Meter Meter = new(Name, Version);

    /// <summary>Uploads by outcome (<c>stored</c>, <c>duplicate</c>, <c>retagged</c>, <c>error</c>).</summary>
    public static readonly Counter<long> Uploads =
        Meter.CreateCounter<long>("musiclocker.locker.uploads", "{upload}", "Uploads through the locker, by outcome.");

    /// <summary>Bytes of files stored by uploads (duplicates and retags store nothing).</summary>
    public static readonly Counter<long> BytesUploaded =
        Meter.CreateCounter<long>("musiclocker.locker.bytes_uploaded", "By", "Bytes of uploaded files stored.");

    /// <summary>Uploads that stored nothing because the user had the same file or the same audio.</summary>
    public static readonly Counter<long> DedupHits =
        Meter.CreateCounter<long>("musiclocker.locker.dedup_hits", "{hit}", "Uploads answered by a file or audio already in the locker.");

    /// <summary>Starts the span of one facade operation (<c>locker.{operation}</c>), or null when nobody listens.</summary>
    public static Activity? Start(string operation, string? userId)
    {
        var activity = Source.StartActivity("locker." + operation, ActivityKind.Internal);
        if (activity is not null && userId is not null)
        {
            activity.SetTag("musiclocker.user", userId);
        }

        return activity;
    }

    /// <summary>Marks the span failed with the error code's name (or the exception type); returns false so it can sit in an exception filter.</summary>
    public static bool Fail(Activity? activity, Exception exception)
    {
        if (activity is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, exception.Message);
            activity.SetTag("error.type", exception is LockerException locker ? locker.ErrorCode.ToString() : exception.GetType().FullName);
        }

        return false;
    }

    /// <summary>Runs one facade operation inside its <c>locker.{operation}</c> span.</summary>
    public static async Task<T> TraceAsync<T>(string operation, string? userId, Func<Activity?, Task<T>> run)
    {
        using var activity = Start(operation, userId);
        try
        {
            return await run(activity).ConfigureAwait(false);
        }
        catch (Exception exception) when (Fail(activity, exception))
        {
            throw; // never reached: the filter records the failure and declines
        }
    }

    /// <summary>Runs one facade operation without a result inside its span.</summary>
    public static Task TraceAsync(string operation, string? userId, Func<Task> run) =>
        TraceAsync(operation, userId, async _ =>
        {
            await run().ConfigureAwait(false);
            return true;
        });

    /// <summary>Counts an upload's outcome (and its bytes when it stored the file).</summary>
    public static void RecordUpload(UploadResult result)
    {
        Uploads.Add(1, new KeyValuePair<string, object?>("outcome", result.Outcome.ToString().ToLowerInvariant()));
        if (result.Outcome == UploadOutcome.Stored)
        {
            BytesUploaded.Add(result.Track.SizeBytes);
        }
        else
        {
            DedupHits.Add(1);
        }
    }

    /// <summary>Counts a failed upload.</summary>
    public static void RecordUploadFailure() => Uploads.Add(1, new KeyValuePair<string, object?>("outcome", "error"));
}
