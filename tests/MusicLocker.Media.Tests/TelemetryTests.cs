using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace MusicLocker.Media.Tests;

/// <summary>
/// The span, counter and log lines of real probes, heard through <see cref="ActivityListener"/>,
/// <see cref="MeterListener"/> and an <see cref="ILoggerFactory"/>. Other tests probe in parallel, so each test
/// keeps only what its own probes did: spans under a parent activity it starts, counts taken on its own thread's span.
/// </summary>
[Collection(nameof(TelemetryTests))]
[CollectionDefinition(nameof(TelemetryTests), DisableParallelization = true)]
public sealed class TelemetryTests : IDisposable
{
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly ConcurrentQueue<(long Value, Dictionary<string, object?> Tags)> _counts = new();
    private readonly ActivityListener _activities;
    private readonly MeterListener _meters;
    private readonly ActivitySource _testSource = new("MusicLocker.Media.Tests.Telemetry");

    public TelemetryTests()
    {
        _activities = new ActivityListener
        {
            ShouldListenTo = s => s.Name is "MusicLocker.Media" or "MusicLocker.Media.Tests.Telemetry",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if (a.Source.Name == "MusicLocker.Media")
                {
                    _spans.Enqueue(a);
                }
            },
        };
        ActivitySource.AddActivityListener(_activities);
        _meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "MusicLocker.Media")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "musiclocker.media.probes" && Activity.Current?.Source.Name == "MusicLocker.Media"
                && Activity.Current.Parent?.Source.Name == "MusicLocker.Media.Tests.Telemetry")
            {
                var d = new Dictionary<string, object?>();
                foreach (var t in tags)
                {
                    d[t.Key] = t.Value;
                }

                _counts.Enqueue((value, d));
            }
        });
        _meters.Start();
    }

    public void Dispose()
    {
        _activities.Dispose();
        _meters.Dispose();
        _testSource.Dispose();
    }

    private List<Activity> MySpans(Activity parent) => _spans.Where(a => a.ParentSpanId == parent.SpanId).ToList();

    [Fact]
    public async Task A_probe_is_one_media_probe_span_and_one_count_with_its_format_and_outcome()
    {
        using var parent = _testSource.StartActivity("test")!;
        var prober = new MediaProber();

        await prober.ProbeFileAsync(Fixtures.Path("m4a/faststart-tagged.m4a"), TestContext.Current.CancellationToken);
        prober.Probe(Fixtures.Bytes("mp3/cbr-info-lame.mp3"));

        var spans = MySpans(parent);
        Assert.Equal(2, spans.Count);
        Assert.All(spans, s => Assert.Equal("media.probe", s.OperationName));
        Assert.All(spans, s => Assert.Equal(ActivityKind.Internal, s.Kind));
        Assert.Equal(["mp4", "mp3"], spans.Select(s => s.GetTagItem("musiclocker.media.format")));
        Assert.All(spans, s => Assert.Equal("ok", s.GetTagItem("outcome")));
        Assert.All(spans, s => Assert.Equal(ActivityStatusCode.Unset, s.Status));

        Assert.Equal(2, _counts.Count);
        Assert.Equal(["mp4", "mp3"], _counts.Select(c => c.Tags["musiclocker.media.format"]));
        Assert.All(_counts, c => Assert.Equal((1L, "ok"), (c.Value, c.Tags["outcome"])));
    }

    [Fact]
    public async Task A_refusal_is_an_error_span_with_the_error_code_and_an_error_count()
    {
        using var parent = _testSource.StartActivity("test")!;
        var prober = new MediaProber();

        await Assert.ThrowsAsync<MediaFormatException>(() => prober.ProbeStreamAsync(new MemoryStream(Fixtures.Bytes("other/sine.flac")), TestContext.Current.CancellationToken));

        var span = Assert.Single(MySpans(parent));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal("UnsupportedFormat", span.GetTagItem("error.type"));
        Assert.Equal("error", span.GetTagItem("outcome"));
        var count = Assert.Single(_counts);
        Assert.Equal("error", count.Tags["outcome"]);
    }

    [Fact]
    public async Task A_source_that_fails_is_an_error_span_named_by_the_exception_type()
    {
        using var parent = _testSource.StartActivity("test")!;

        await Assert.ThrowsAsync<IOException>(() => new MediaProber().ProbeAsync(new FailingSource(), TestContext.Current.CancellationToken));

        var span = Assert.Single(MySpans(parent));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal("System.IO.IOException", span.GetTagItem("error.type"));
        Assert.Equal("error", Assert.Single(_counts).Tags["outcome"]);
    }

    [Fact]
    public void A_push_parser_is_one_span_from_its_creation_to_complete()
    {
        using var parent = _testSource.StartActivity("test")!;
        var parser = new MediaProber().CreateStreamParser();
        var data = Fixtures.Bytes("aac/lc-44k-stereo.aac");

        parser.Append(data.AsSpan(0, 1000));
        parser.Append(data.AsSpan(1000));
        parser.Complete();

        var span = Assert.Single(MySpans(parent));
        Assert.Equal("adts", span.GetTagItem("musiclocker.media.format"));
        Assert.Equal("adts", Assert.Single(_counts).Tags["musiclocker.media.format"]);
    }

    [Fact]
    public void A_refused_push_parser_is_counted_once_and_takes_no_more_bytes()
    {
        using var parent = _testSource.StartActivity("test")!;
        var parser = new MediaProber().CreateStreamParser();
        var flac = Fixtures.Bytes("other/sine.flac");

        Assert.Throws<MediaFormatException>(() => parser.Append(flac));
        Assert.Throws<InvalidOperationException>(() => parser.Append(flac));
        Assert.Throws<InvalidOperationException>(() => parser.Complete());

        Assert.Equal("UnsupportedFormat", Assert.Single(MySpans(parent)).GetTagItem("error.type"));
        Assert.Single(_counts);
    }

    [Fact]
    public void Warnings_and_refusals_are_logged_with_event_ids_in_the_media_range_and_no_tag_values()
    {
        var logger = new ListLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logger).SetMinimumLevel(LogLevel.Trace));
        var prober = new MediaProber(new MediaProbeOptions { LoggerFactory = factory });

        // A truncated file: accepted with a warning.
        var truncated = Fixtures.Bytes("mp3/truncated-xing.mp3");
        var info = prober.Probe(truncated);
        Assert.NotEmpty(info.Warnings);
        Assert.Throws<MediaFormatException>(() => prober.Probe(Fixtures.Bytes("other/sine.wav")));

        Assert.Equal(info.Warnings.Count, logger.Entries.Count(e => e.Id == 3000));
        var refused = Assert.Single(logger.Entries, e => e.Id == 3001);
        Assert.Contains("UnsupportedFormat", refused.Message, StringComparison.Ordinal);
        Assert.All(logger.Entries, e => Assert.InRange(e.Id, 3000, 3999));
    }

    [Fact]
    public void Options_are_copied_at_construction()
    {
        var options = new MediaProbeOptions { MaxBoxCount = 100 };
        var prober = new MediaProber(options);

        Assert.NotSame(options, prober.Options);
        Assert.Equal(100, prober.Options.MaxBoxCount);
        Assert.Throws<ArgumentOutOfRangeException>(() => new MediaProber(new MediaProbeOptions { MaxBoxCount = 1 }));
    }

    private sealed class FailingSource : IRandomAccessSource
    {
        public long Length => 1000;

        public ValueTask<int> ReadAtAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            throw new IOException("the store went away");
    }

    private sealed class ListLoggerProvider : ILoggerProvider, ILogger
    {
        public ConcurrentQueue<(int Id, string Message)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => this;

        public void Dispose()
        {
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Enqueue((eventId.Id, formatter(state, exception)));
    }
}
