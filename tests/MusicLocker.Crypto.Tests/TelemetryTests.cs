using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using MusicLocker.Storage;
using MusicLocker.Storage.InMemory;
using MusicLocker.Testing;

namespace MusicLocker.Crypto.Tests;

/// <summary>Spans and counters tests run alone: listeners are process-wide.</summary>
[CollectionDefinition(nameof(TelemetryCollection), DisableParallelization = true)]
public sealed class TelemetryCollection;

/// <summary>
/// The spans and counters of real operations: an encrypted upload and a ranged read are one <c>encrypted</c> storage span
/// each, with the inner store's span and the user-key span nested under it, tagged with key, range and bytes; plaintext
/// bytes are counted as read and written; key rotations have their spans; failures carry the error code.
/// </summary>
[Collection(nameof(TelemetryCollection))]
public sealed class TelemetryTests : IDisposable
{
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly ConcurrentQueue<(string Name, long Value, Dictionary<string, object?> Tags)> _measurements = new();
    private readonly ActivityListener _activities;
    private readonly MeterListener _meters;
    private readonly string _user = "tel" + Guid.NewGuid().ToString("N")[..8];

    public TelemetryTests()
    {
        _activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "MusicLocker.Storage" or "MusicLocker.Crypto",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _spans.Enqueue,
        };
        ActivitySource.AddActivityListener(_activities);
        _meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name is "MusicLocker.Storage" or "MusicLocker.Crypto")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var copy = new Dictionary<string, object?>();
            foreach (var tag in tags)
            {
                copy[tag.Key] = tag.Value;
            }

            _measurements.Enqueue((instrument.Name, value, copy));
        });
        _meters.Start();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _activities.Dispose();
        _meters.Dispose();
    }

    [Fact]
    public async Task An_encrypted_upload_is_one_span_with_the_inner_put_and_the_key_lookup_under_it()
    {
        using var f = await CryptoFixture.CreateAsync(new SpanningBlobStore(new InMemoryBlobStore()));
        var key = BlobKey.Parse(_user + "/song.mp3");
        var data = TestData.Bytes(40_000, 5);

        await f.Store.PutBytesAsync(key, data, null, Ct);

        var put = Assert.Single(Spans("storage.put", "encrypted", key));
        Assert.Equal(ActivityStatusCode.Unset, put.Status);
        Assert.Equal(40_000L, put.GetTagItem("musiclocker.bytes"));
        var innerPut = Assert.Single(Spans("storage.put", SpanningBlobStore.Name, key));
        Assert.Equal(put.SpanId, innerPut.ParentSpanId);
        Assert.Equal(put.TraceId, innerPut.TraceId);
        var keyGet = Assert.Single(_spans, s => s.OperationName == "crypto.user_key.get" && (string?)s.GetTagItem("musiclocker.user") == "t1/" + _user);
        Assert.Equal(put.SpanId, keyGet.ParentSpanId);
        Assert.Equal("1", keyGet.GetTagItem("musiclocker.crypto.key_version"));

        Assert.Equal(40_000L, Sum("musiclocker.storage.bytes_written", "encrypted"));
        Assert.Contains(_measurements, m => m.Name == "musiclocker.storage.operations" && Equals(m.Tags["musiclocker.store"], "encrypted") && Equals(m.Tags["musiclocker.operation"], "put") && Equals(m.Tags["outcome"], "ok"));

        // Creating the user's key unwrapped nothing; the put unwrapped the new key once, through the master key.
        Assert.True(Sum("musiclocker.crypto.key_unwraps", null, ("musiclocker.crypto.key_kind", "user_key")) >= 1);
    }

    [Fact]
    public async Task A_ranged_read_is_one_span_tagged_with_its_range_and_counts_the_bytes_delivered()
    {
        using var f = await CryptoFixture.CreateAsync(new SpanningBlobStore(new InMemoryBlobStore()));
        var key = BlobKey.Parse(_user + "/song.mp3");
        var data = TestData.Bytes(100_000, 6);
        await f.Store.PutBytesAsync(key, data, null, Ct);
        _spans.Clear();
        _measurements.Clear();

        var download = await f.Store.OpenReadAsync(key, new ReadBlobOptions { Range = new ByteRange(20_000, 30_000) }, Ct);
        byte[] read;
        await using (download)
        {
            var buffer = new MemoryStream();
            await download.Content.CopyToAsync(buffer, Ct);
            read = buffer.ToArray();
        }

        Assert.Equal(data.AsSpan(20_000, 30_000).ToArray(), read);
        var span = Assert.Single(Spans("storage.read", "encrypted", key));
        Assert.Equal(20_000L, span.GetTagItem("musiclocker.range.offset"));
        Assert.Equal(30_000L, span.GetTagItem("musiclocker.range.length"));
        Assert.Equal(30_000L, span.GetTagItem("musiclocker.bytes"));

        // The inner store's HEAD and ranged GET (of the covering chunks only) nest under the encrypted read.
        var innerRead = Assert.Single(Spans("storage.read", SpanningBlobStore.Name, key));
        Assert.Equal(span.SpanId, innerRead.ParentSpanId);
        Assert.Equal(span.SpanId, Assert.Single(Spans("storage.get_properties", SpanningBlobStore.Name, key)).ParentSpanId);

        // Plaintext bytes handed to the caller, not ciphertext bytes fetched.
        Assert.Equal(30_000L, Sum("musiclocker.storage.bytes_read", "encrypted"));
        Assert.True(Sum("musiclocker.crypto.key_unwraps", null, ("musiclocker.crypto.key_kind", "data_key")) >= 1);
    }

    [Fact]
    public async Task A_tampered_read_marks_its_span_failed_with_the_storage_code()
    {
        using var f = await CryptoFixture.CreateAsync();
        var key = BlobKey.Parse(_user + "/song.mp3");
        await f.Store.PutBytesAsync(key, TestData.Bytes(1000, 1), null, Ct);
        await f.TamperAsync(key.Value, b => b, m =>
        {
            m["mlc-key"] = "1:AAAA" + m["mlc-key"][6..];
            return m;
        });

        await Assert.ThrowsAnyAsync<EncryptionException>(() => f.Store.OpenReadAsync(key, null, Ct));
        var span = Assert.Single(Spans("storage.read", "encrypted", key));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal("IntegrityCheckFailed", span.GetTagItem("error.type"));
    }

    [Fact]
    public async Task Key_rotations_and_destruction_have_their_spans()
    {
        using var f = await CryptoFixture.CreateAsync();
        var owner = new KeyOwner("t1", _user);
        await f.Store.PutBytesAsync(BlobKey.Parse(_user + "/a.mp3"), new byte[] { 1, 2, 3 }, null, Ct);

        var rotated = await f.Store.RotateUserKeyAsync(owner, _user + "/", Ct);
        var rotate = Assert.Single(_spans, s => s.OperationName == "crypto.user_key.rotate" && (string?)s.GetTagItem("musiclocker.user") == owner.ToString());
        Assert.Equal("2", rotate.GetTagItem("musiclocker.crypto.key_version"));
        Assert.Equal(1, rotated.ObjectsRewrapped);
        Assert.Equal(ActivityStatusCode.Unset, rotate.Status);

        await f.Ring.RotateAsync(Ct);
        await f.Keys.RotateMasterKeyAsync(Ct);
        Assert.Contains(_spans, s => s.OperationName == "crypto.master_key.rotate");

        await f.Keys.DestroyUserKeyAsync(owner, Ct);
        Assert.Single(_spans, s => s.OperationName == "crypto.user_key.destroy" && (string?)s.GetTagItem("musiclocker.user") == owner.ToString());

        // A rotation of a destroyed key fails, and says why on its span.
        await Assert.ThrowsAsync<KeyDestroyedException>(() => f.Store.RotateUserKeyAsync(owner, _user + "/", Ct));
        var failed = Assert.Single(_spans, s => s.OperationName == "crypto.user_key.rotate" && s.Status == ActivityStatusCode.Error && (string?)s.GetTagItem("musiclocker.user") == owner.ToString());
        Assert.Equal("KeyDestroyed", failed.GetTagItem("error.type"));
    }

    [Fact]
    public async Task A_multipart_upload_and_a_listing_are_one_span_per_call()
    {
        using var f = await CryptoFixture.CreateAsync(partSize: 16 * 1024);
        var key = BlobKey.Parse(_user + "/multi.mp3");
        var upload = await f.Store.StartMultipartUploadAsync(key, null, Ct);
        var part1 = await f.Store.UploadPartAsync(upload, 1, new MemoryStream(TestData.Bytes(16 * 1024, 1)), Ct);
        var part2 = await f.Store.UploadPartAsync(upload, 2, new MemoryStream(TestData.Bytes(500, 2)), Ct);
        await f.Store.CompleteMultipartUploadAsync(upload, [part1, part2], Ct);
        Assert.Single(await f.Store.ListAsync(_user + "/", Ct).ToListAsync(Ct));

        Assert.Single(Spans("storage.multipart.start", "encrypted", key));
        var parts = Spans("storage.multipart.upload_part", "encrypted", key).ToArray();
        Assert.Equal([16_384L, 500L], parts.Select(p => (long)p.GetTagItem("musiclocker.bytes")!).Order().Reverse().ToArray());
        Assert.Equal(16_884L, Assert.Single(Spans("storage.multipart.complete", "encrypted", key)).GetTagItem("musiclocker.bytes"));
        // The inner store lists the same prefix under its own span, a child of the encrypted one.
        var list = Assert.Single(_spans, s => s.OperationName == "storage.list" && (string?)s.GetTagItem("musiclocker.store") == "encrypted" && (string?)s.GetTagItem("musiclocker.blob.prefix") == _user + "/");
        var inner = Assert.Single(_spans, s => s.OperationName == "storage.list" && s.ParentSpanId == list.SpanId);
        Assert.Equal(_user + "/", inner.GetTagItem("musiclocker.blob.prefix"));
        Assert.Equal(ActivityStatusCode.Unset, list.Status);
    }

    private IEnumerable<Activity> Spans(string name, string store, BlobKey key) =>
        _spans.Where(s => s.OperationName == name && (string?)s.GetTagItem("musiclocker.store") == store && (string?)s.GetTagItem("musiclocker.blob.key") == key.Value);

    private long Sum(string instrument, string? store, params (string Key, string Value)[] tags) =>
        _measurements.Where(m => m.Name == instrument
                && (store is null || Equals(m.Tags.GetValueOrDefault("musiclocker.store"), store))
                && tags.All(t => Equals(m.Tags.GetValueOrDefault(t.Key), t.Value)))
            .Sum(m => m.Value);
}
