using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using MusicLocker.Storage.Providers;

namespace MusicLocker.Storage.Tests.Telemetry;

/// <summary>Records the spans and measurements of the <c>MusicLocker.Storage</c> source and meter while it lives.</summary>
internal sealed class TelemetryRecorder : IDisposable
{
    private readonly ActivityListener _activities;
    private readonly MeterListener _meters = new();

    public TelemetryRecorder()
    {
        _activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == StorageInstrumentation.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = Spans.Enqueue,
        };
        ActivitySource.AddActivityListener(_activities);
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == StorageInstrumentation.SourceName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Measurements.Enqueue(new Measurement(instrument.Name, value, ToDictionary(tags))));
        _meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Measurements.Enqueue(new Measurement(instrument.Name, value, ToDictionary(tags))));
        _meters.Start();
    }

    public ConcurrentQueue<Activity> Spans { get; } = new();

    public ConcurrentQueue<Measurement> Measurements { get; } = new();

    /// <summary>The spans of <paramref name="key"/> named <paramref name="name"/>.</summary>
    public List<Activity> SpansOf(string name, string key) =>
        Spans.Where(a => a.OperationName == name && (string?)a.GetTagItem("musiclocker.blob.key") == key).ToList();

    /// <summary>The sum of <paramref name="instrument"/> for <paramref name="store"/> (and, when given, <paramref name="operation"/>/<paramref name="outcome"/>).</summary>
    public double Sum(string instrument, string store, string? operation = null, string? outcome = null) =>
        Measurements
            .Where(m => m.Instrument == instrument && Tag(m, "musiclocker.store") == store
                && (operation is null || Tag(m, "musiclocker.operation") == operation)
                && (outcome is null || Tag(m, "outcome") == outcome))
            .Sum(m => m.Value);

    /// <summary>How many measurements of <paramref name="instrument"/> carry these tags.</summary>
    public int Count(string instrument, string store, string operation, string outcome) =>
        Measurements.Count(m => m.Instrument == instrument && Tag(m, "musiclocker.store") == store
            && Tag(m, "musiclocker.operation") == operation && Tag(m, "outcome") == outcome);

    public void Dispose()
    {
        _activities.Dispose();
        _meters.Dispose();
    }

    private static string? Tag(Measurement m, string name) => m.Tags.TryGetValue(name, out var v) ? v as string : null;

    private static Dictionary<string, object?> ToDictionary(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in tags)
        {
            result[name] = value;
        }

        return result;
    }

    internal sealed record Measurement(string Instrument, double Value, Dictionary<string, object?> Tags);
}
