using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace MusicLocker.Metadata.Sql.Diagnostics;

/// <summary>
/// The metadata area's <see cref="ActivitySource"/> and <see cref="Meter"/>, both named <see cref="Name"/> (see
/// docs/telemetry.md). Every public store operation is one <c>metadata.&lt;operation&gt;</c> span.
/// </summary>
internal static class MetadataTelemetry
{
    /// <summary>The name of the activity source and the meter.</summary>
    public const string Name = "MusicLocker.Metadata";

    private static readonly string? Version =
        typeof(MetadataTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    public static readonly ActivitySource Source = new(Name, Version);

    public static readonly Meter Meter = new(Name, Version);

    /// <summary>Reservations (and over-reservation commits or catalogue charges) refused because the bytes did not fit.</summary>
    public static readonly Counter<long> QuotaRejections =
        Meter.CreateCounter<long>("musiclocker.quota.rejections", "{rejection}", "Quota reservations or charges refused because the bytes did not fit.");

    /// <summary>Reservations made.</summary>
    public static readonly Counter<long> QuotaReservations =
        Meter.CreateCounter<long>("musiclocker.quota.reservations", "{reservation}", "Quota reservations made.");

    /// <summary>Starts the span of one store operation (<c>metadata.{operation}</c>), or null when nobody listens.</summary>
    public static Activity? Start(string operation, string? userId)
    {
        var activity = Source.StartActivity("metadata." + operation, ActivityKind.Internal);
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
            activity.SetTag("error.type", exception is LockerMetadataException metadata ? metadata.ErrorCode.ToString() : exception.GetType().FullName);
        }

        return false;
    }

    /// <summary>Runs one public store operation inside its <c>metadata.{operation}</c> span.</summary>
    public static async Task<T> TraceAsync<T>(string operation, string? userId, Func<Task<T>> run)
    {
        using var activity = MetadataTelemetry.Start(operation, userId);
        try
        {
            return await run().ConfigureAwait(false);
        }
        catch (Exception exception) when (MetadataTelemetry.Fail(activity, exception))
        {
            throw; // never reached: the filter records the failure and declines
        }
    }

    /// <summary>Runs one public store operation without a result inside its span.</summary>
    public static Task TraceAsync(string operation, string? userId, Func<Task> run) =>
        TraceAsync(operation, userId, async () =>
        {
            await run().ConfigureAwait(false);
            return true;
        });
}
