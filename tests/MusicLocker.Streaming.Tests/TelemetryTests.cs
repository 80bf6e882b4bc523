using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using MusicLocker.Storage;
using MusicLocker.Storage.InMemory;
using MusicLocker.Streaming.Tests.Support;
using MusicLocker.Testing;

namespace MusicLocker.Streaming.Tests;

public sealed class TelemetryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_range_is_one_span_with_key_range_bytes_and_a_time_to_first_byte()
    {
        var key = BlobKey.Parse("ann/telemetry/" + Guid.NewGuid().ToString("N"));
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "MusicLocker.Streaming",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if ((a.GetTagItem("musiclocker.blob.key") as string) == key.Value)
                {
                    spans.Enqueue(a);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        var measures = new ConcurrentQueue<(string Name, double Value)>();
        using var meters = new MeterListener
        {
            InstrumentPublished = (i, l) =>
            {
                if (i.Meter.Name == "MusicLocker.Streaming")
                {
                    l.EnableMeasurementEvents(i);
                }
            },
        };
        meters.SetMeasurementEventCallback<long>((i, v, _, _) => measures.Enqueue((i.Name, v)));
        meters.SetMeasurementEventCallback<double>((i, v, _, _) => measures.Enqueue((i.Name, v)));
        meters.Start();

        var store = new InMemoryBlobStore();
        await store.PutBytesAsync(key, TestData.Bytes(100_000), cancellationToken: Ct);
        var reader = new BlobRangeReader(store);
        await PipeRead.RangeAsync(reader, key, 1000, 50_000, cancellationToken: Ct);
        await Assert.ThrowsAsync<RangeNotSatisfiableException>(() => PipeRead.RangeAsync(reader, key, 100_000, 10, cancellationToken: Ct));

        var all = spans.ToArray();
        Assert.Equal(2, all.Length);
        var ok = all[0];
        Assert.Equal("streaming.range", ok.OperationName);
        Assert.Equal(1000L, ok.GetTagItem("musiclocker.range.offset"));
        Assert.Equal(50_000L, ok.GetTagItem("musiclocker.range.length"));
        Assert.Equal(50_000L, ok.GetTagItem("musiclocker.bytes"));
        Assert.Equal(ActivityStatusCode.Unset, ok.Status);
        Assert.True(ok.GetTagItem("musiclocker.streaming.time_to_first_byte") is double ttfb && ttfb >= 0 && ttfb <= ok.Duration.TotalSeconds);
        var failed = all[1];
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
        Assert.Equal(nameof(BlobErrorCode.RangeNotSatisfiable), failed.GetTagItem("error.type"));

        meters.RecordObservableInstruments();
        Assert.Contains(measures, m => m.Name == "musiclocker.streaming.bytes" && m.Value == 50_000);
        Assert.Contains(measures, m => m.Name == "musiclocker.streaming.time_to_first_byte" && m.Value >= 0);
    }
}
