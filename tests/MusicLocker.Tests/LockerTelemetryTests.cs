using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using MusicLocker.Testing;

namespace MusicLocker.Tests;

/// <summary>The MusicLocker.Locker spans and counters of real operations (counters are process-wide: this class runs alone).</summary>
[Collection(nameof(LockerTelemetryTests))]
[CollectionDefinition(nameof(LockerTelemetryTests), DisableParallelization = true)]
public sealed class LockerTelemetryTests : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly ConcurrentQueue<(string Instrument, long Value, string? Outcome)> _measurements = new();
    private ActivityListener _listener = null!;
    private MeterListener _meters = null!;
    private LockerUnderTest _test = null!;

    public async ValueTask InitializeAsync()
    {
        _test = await LockerUnderTest.OpenAsync(_folder.Path, StorageKind.FileSystem);
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "MusicLocker.Locker",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _spans.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
        _meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "MusicLocker.Locker")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? outcome = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "outcome")
                {
                    outcome = (string?)tag.Value;
                }
            }

            _measurements.Enqueue((instrument.Name, value, outcome));
        });
        _meters.Start();
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        _meters.Dispose();
        await _test.DisposeAsync();
        _folder.Dispose();
    }

    [Fact]
    public async Task Uploads_count_by_outcome_with_bytes_and_dedup_hits_inside_locker_upload_spans()
    {
        var ct = TestContext.Current.CancellationToken;
        var alice = _test.Locker.ForUser("alice");
        string file = AudioFiles.Mp3("big-cover.mp3");

        var stored = await alice.Uploads.UploadFileAsync(file, cancellationToken: ct);
        var again = await alice.Uploads.UploadFileAsync(file, cancellationToken: ct);
        await Assert.ThrowsAsync<LockerException>(() => alice.Uploads.UploadFileAsync(AudioFiles.Other("sine.wav"), cancellationToken: ct));
        var batch = await alice.Uploads.UploadFilesAsync([file, AudioFiles.Other("sine.wav")], cancellationToken: ct);

        Assert.Equal(UploadOutcome.Duplicate, again.Outcome);
        Assert.Equal(UploadOutcome.Duplicate, batch[0].Result!.Outcome);
        var uploads = Spans("locker.upload");
        Assert.Equal(4, uploads.Count);
        Assert.Equal(2, uploads[3].GetTagItem("musiclocker.upload.files"));
        Assert.All(uploads, s => Assert.Equal("alice", s.GetTagItem("musiclocker.user")));
        Assert.Equal(["stored", "duplicate"], uploads.Take(2).Select(s => (string?)s.GetTagItem("musiclocker.upload.outcome")));
        Assert.Equal(ActivityStatusCode.Error, uploads[2].Status);
        Assert.NotNull(uploads[2].GetTagItem("error.type"));
        Assert.Equal(1, Sum("musiclocker.locker.uploads", "stored"));
        Assert.Equal(2, Sum("musiclocker.locker.uploads", "duplicate"));
        Assert.Equal(2, Sum("musiclocker.locker.uploads", "error"));
        Assert.Equal(stored.Track.SizeBytes, Sum("musiclocker.locker.bytes_uploaded"));
        Assert.Equal(2, Sum("musiclocker.locker.dedup_hits"));
    }

    [Fact]
    public async Task Downloads_deletes_export_reconcile_and_sweeps_each_make_their_span()
    {
        var ct = TestContext.Current.CancellationToken;
        var alice = _test.Locker.ForUser("alice");
        var track = (await alice.Uploads.UploadFileAsync(AudioFiles.Mp3("big-cover.mp3"), cancellationToken: ct)).Track;

        await alice.Downloads.DownloadToAsync(track.Id, Stream.Null, cancellationToken: ct);
        await using (var range = await alice.Downloads.OpenReadAsync(track.Id, 100, 50, ct))
        {
            await range.Content.CopyToAsync(Stream.Null, ct);
        }

        await alice.Account.ExportToZipAsync(new MemoryStream(), cancellationToken: ct);
        await _test.Locker.ReconcileAsync("alice", cancellationToken: ct);
        await _test.Locker.SweepAsync(ct);
        await _test.Locker.SweepRetentionAsync(ct);
        await alice.Tracks.DeleteAsync(track.Id, ct);
        await Assert.ThrowsAsync<LockerException>(() => alice.Tracks.DeleteAsync(track.Id, ct));
        await alice.Account.DeleteAsync(ct);

        var downloads = Spans("locker.download");
        Assert.Equal(2, downloads.Count);
        Assert.Equal(track.SizeBytes, downloads[0].GetTagItem("musiclocker.bytes"));
        Assert.Single(Spans("locker.export"));
        Assert.Single(Spans("locker.reconcile"));
        Assert.Equal(["maintenance", "retention"], Spans("locker.sweep").Select(s => (string?)s.GetTagItem("musiclocker.sweep")));
        var deletes = Spans("locker.delete_track");
        Assert.Equal([ActivityStatusCode.Unset, ActivityStatusCode.Error], deletes.Select(s => s.Status));
        Assert.Equal(nameof(LockerErrorCode.TrackNotFound), deletes[1].GetTagItem("error.type"));
        Assert.Single(Spans("locker.delete_account"));
    }

    private List<Activity> Spans(string name) => _spans.Where(s => s.OperationName == name).OrderBy(s => s.StartTimeUtc).ToList();

    private long Sum(string instrument, string? outcome = null) =>
        _measurements.Where(m => m.Instrument == instrument && (outcome is null || m.Outcome == outcome)).Sum(m => m.Value);
}
