using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using MusicLocker.AspNetCore.Tests.Support;
using static MusicLocker.AspNetCore.Tests.Support.Http;

namespace MusicLocker.AspNetCore.Tests;

/// <summary>The <c>MusicLocker.AspNetCore</c> span and counters of real requests.</summary>
public sealed class TelemetryTests
{
    private const string Source = "MusicLocker.AspNetCore";

    [Fact]
    public async Task Track_answers_are_spans_with_their_status_and_refused_tokens_are_counted_by_reason()
    {
        var spans = new ConcurrentQueue<Activity>();
        var counts = new ConcurrentQueue<(string Instrument, long Value, Dictionary<string, object?> Tags)>();
        using var activities = new ActivityListener
        {
            ShouldListenTo = s => s.Name == Source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(activities);
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == Source)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var map = new Dictionary<string, object?>();
            foreach (var tag in tags)
            {
                map[tag.Key] = tag.Value;
            }

            counts.Enqueue((instrument.Name, value, map));
        });
        meters.Start();

        await using var host = await LockerHost.StartAsync(Backend.InMemory, encrypt: true);
        var (id, _) = await host.UploadAsync("mp3/id3v23-full.mp3");
        using var client = host.Client();
        using (var response = await client.SendAsync(Get(Stream(id), "bytes=0-9"), Ct))
        {
            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            await response.Content.ReadAsByteArrayAsync(Ct);
        }

        var missing = Guid.NewGuid();
        using (var response = await client.SendAsync(Get(Stream(missing)), Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        using (var response = await client.SendAsync(Get(Stream(id) + "?token=not-a-token"), Ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        var ok = Assert.Single(spans, s => s.OperationName == "http.track" && (string?)s.GetTagItem("musiclocker.track") == id.ToString("D"));
        Assert.Equal(206, ok.GetTagItem("http.response.status_code"));
        var failed = Assert.Single(spans, s => s.OperationName == "http.track" && (string?)s.GetTagItem("musiclocker.track") == missing.ToString("D"));
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
        Assert.Equal("TrackNotFound", failed.GetTagItem("error.type"));
        Assert.Contains(counts, c => c.Instrument == "musiclocker.http.track_responses" && Equals(c.Tags["http.response.status_code"], 206));
        Assert.Contains(counts, c => c.Instrument == "musiclocker.http.token_rejections" && Equals(c.Tags["reason"], "Malformed"));
    }
}
