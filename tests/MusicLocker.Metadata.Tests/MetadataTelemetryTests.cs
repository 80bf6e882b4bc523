using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using MusicLocker.Metadata.Quota;
using MusicLocker.Metadata.Sqlite;
using MusicLocker.Testing;
using MusicLocker.Testing.Logging;

namespace MusicLocker.Metadata.Tests;

/// <summary>
/// The spans, counters and logs of real store operations, as an app's ActivityListener, MeterListener and logger see
/// them. Listeners are process-wide, so this class runs alone (its collection disables parallelization).
/// </summary>
[Collection(nameof(MetadataTelemetryTests))]
[CollectionDefinition(nameof(MetadataTelemetryTests), DisableParallelization = true)]
public sealed class MetadataTelemetryTests : IAsyncDisposable
{
    private const string SourceName = "MusicLocker.Metadata";

    private readonly string _folder = Directory.CreateTempSubdirectory("musiclocker-telemetry-").FullName;
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly ConcurrentDictionary<string, long> _counters = new();
    private readonly RecordingLoggerFactory _logs = new();
    private readonly ActivityListener _activities;
    private readonly MeterListener _meters;

    public MetadataTelemetryTests()
    {
        _activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _spans.Enqueue,
        };
        ActivitySource.AddActivityListener(_activities);
        _meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == SourceName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meters.SetMeasurementEventCallback<long>((instrument, value, _, _) => _counters.AddOrUpdate(instrument.Name, value, (_, sum) => sum + value));
        _meters.Start();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_rejected_and_a_committed_reservation_show_as_spans_counters_and_logs()
    {
        var time = new ManualTimeProvider();
        await using var store = await SqliteMetadataStore.OpenAsync(new SqliteMetadataStoreOptions
        {
            DatabasePath = Path.Combine(_folder, "telemetry.db"),
            Plans = new QuotaPlanCatalog([new QuotaPlan("small", "Small", 1_000)], "small"),
            TimeProvider = time,
            LoggerFactory = _logs,
        }, Ct);
        await store.Users.EnsureAsync("ann", null, Ct);

        var held = await store.Quota.ReserveAsync("ann", 600, Ct);
        await store.Quota.CommitAsync("ann", held.Id, 600, Ct);
        await Assert.ThrowsAsync<QuotaExceededException>(() => store.Quota.ReserveAsync("ann", 600, Ct));

        var reserves = Spans("metadata.quota.reserve");
        Assert.Equal(2, reserves.Count);
        Assert.All(reserves, span => Assert.Equal("ann", span.GetTagItem("musiclocker.user")));
        Assert.Equal(ActivityStatusCode.Unset, reserves[0].Status);
        Assert.Equal(ActivityStatusCode.Error, reserves[1].Status);
        Assert.Equal("QuotaExceeded", reserves[1].GetTagItem("error.type"));
        var commit = Assert.Single(Spans("metadata.quota.commit"));
        Assert.Equal(ActivityStatusCode.Unset, commit.Status);
        Assert.Equal(ActivityKind.Internal, commit.Kind);

        _meters.RecordObservableInstruments();
        Assert.Equal(1, _counters.GetValueOrDefault("musiclocker.quota.reservations"));
        Assert.Equal(1, _counters.GetValueOrDefault("musiclocker.quota.rejections"));

        var rejection = Assert.Single(_logs.Entries, e => e.EventId == 4020);
        Assert.Equal(LogLevel.Information, rejection.Level);
        Assert.Contains("600 bytes needed, 400 of 1000 free", rejection.Message, StringComparison.Ordinal);
        Assert.Equal(1, _logs.Count(4000)); // a new file: migrated from 0
    }

    [Fact]
    public async Task Track_add_remove_search_browse_and_release_are_one_span_each()
    {
        await using var store = await SqliteMetadataStore.OpenAsync(new SqliteMetadataStoreOptions { DatabasePath = Path.Combine(_folder, "spans.db") }, Ct);
        await store.Users.EnsureAsync("bo", null, Ct);
        var hold = await store.Quota.ReserveAsync("bo", 10, Ct);
        Assert.True(await store.Quota.ReleaseAsync("bo", hold.Id, Ct));
        var track = await store.Tracks.AddTrackAsync("bo", new NewTrack(new TrackTags("Song"), TimeSpan.FromSeconds(1), "mp3", 128, 10, "h", "a", false, "users/bo/1"), null, Ct);
        Assert.Single(await store.Tracks.SearchAsync("bo", "song", Ct).ToListAsync(Ct));
        Assert.Single(await store.Tracks.BrowseAsync("bo", new TrackQuery(), Ct).ToListAsync(Ct));
        await store.Tracks.RemoveTrackAsync("bo", track.Id, Ct);
        await Assert.ThrowsAsync<MetadataNotFoundException>(() => store.Tracks.RemoveTrackAsync("bo", track.Id, Ct));

        foreach (var name in new[] { "metadata.migrate", "metadata.user.ensure", "metadata.quota.release", "metadata.track.add", "metadata.catalog.search", "metadata.catalog.browse" })
        {
            Assert.Single(Spans(name));
        }

        var removes = Spans("metadata.track.remove");
        Assert.Equal(2, removes.Count);
        Assert.Equal("NotFound", removes[1].GetTagItem("error.type"));
        Assert.Equal(0, _counters.GetValueOrDefault("musiclocker.quota.rejections"));
    }

    public ValueTask DisposeAsync()
    {
        _activities.Dispose();
        _meters.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return ValueTask.CompletedTask;
    }

    private List<Activity> Spans(string name) => _spans.Where(s => s.OperationName == name).ToList();
}
