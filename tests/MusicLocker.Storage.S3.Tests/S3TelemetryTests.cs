using System.Diagnostics;
using MusicLocker.Testing;
using MusicLocker.Testing.Servers;

namespace MusicLocker.Storage.S3.Tests;

/// <summary>Counters are process-wide (a retry injected by another test would count here), so these tests run alone.</summary>
[CollectionDefinition(nameof(S3TelemetryCollection), DisableParallelization = true)]
public sealed class S3TelemetryCollection;

/// <summary>The spans and counters of real S3 calls, as an OpenTelemetry exporter would see them.</summary>
[Collection(nameof(S3TelemetryCollection))]
public sealed class S3TelemetryTests : IDisposable
{
    private readonly TelemetryRecorder _telemetry = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _telemetry.Dispose();

    [Fact]
    public async Task A_put_and_a_ranged_read_each_report_one_client_span_and_sdk_retries_are_counted()
    {
        var server = await S3rverServer.GetSharedAsync();
        string bucket = await S3TestStores.CreateBucketAsync(server);
        string name = "telemetry/" + Guid.NewGuid().ToString("N");
        int injected = 0;
        using var handler = new S3ClientAndCopyTests.FailOnceHandler(r => r.Method == HttpMethod.Put && r.RequestUri!.AbsolutePath.EndsWith(name, StringComparison.Ordinal) && Interlocked.Exchange(ref injected, 1) == 0);
        var options = S3TestStores.Options(server, bucket);
        options.HttpHandler = handler;
        using var store = new S3BlobStore(options);

        var bytes = TestData.Bytes(1000, 8);
        await store.PutBytesAsync(BlobKey.Parse(name), bytes, cancellationToken: Ct);
        Assert.Equal(bytes[100..300], await store.ReadAllBytesAsync(BlobKey.Parse(name), new ReadBlobOptions { Range = new ByteRange(100, 200) }, cancellationToken: Ct));

        var put = Assert.Single(_telemetry.SpansOf("storage.put", name));
        Assert.Equal(ActivityKind.Client, put.Kind);
        Assert.Equal("s3", put.GetTagItem("musiclocker.store"));
        Assert.Equal(1000L, put.GetTagItem("musiclocker.bytes"));
        var read = Assert.Single(_telemetry.SpansOf("storage.read", name));
        Assert.Equal(ActivityKind.Client, read.Kind);
        Assert.Equal(100L, read.GetTagItem("musiclocker.range.offset"));
        Assert.Equal(200L, read.GetTagItem("musiclocker.range.length"));
        Assert.Equal(200L, read.GetTagItem("musiclocker.bytes"));

        // A copy names its source; a listing is one span over the whole enumeration, with the count.
        await store.CopyAsync(BlobKey.Parse(name), BlobKey.Parse(name + "-copy"), null, Ct);
        await foreach (var _ in store.ListAsync(name, Ct))
        {
        }

        var copy = Assert.Single(_telemetry.SpansOf("storage.copy", name + "-copy"));
        Assert.Equal(name, copy.GetTagItem("musiclocker.blob.source_key"));
        Assert.Equal(1000L, copy.GetTagItem("musiclocker.bytes"));
        var list = Assert.Single(_telemetry.SpansTagged("storage.list", "musiclocker.blob.prefix", name));
        Assert.Equal(2L, list.GetTagItem("musiclocker.list.count"));
        Assert.Equal("s3", list.GetTagItem("musiclocker.store"));
        Assert.Equal(ActivityKind.Client, list.Kind);
        Assert.Equal(1, injected);
        Assert.Equal(1, _telemetry.Sum("musiclocker.storage.retries", "s3", "put"));
    }

    [Fact]
    public async Task A_download_counts_bytes_read_as_the_caller_reads_them_not_when_it_opens()
    {
        var server = await S3rverServer.GetSharedAsync();
        using var store = new S3BlobStore(S3TestStores.Options(server, await S3TestStores.CreateBucketAsync(server)));
        var key = BlobKey.Parse("telemetry/read-" + Guid.NewGuid().ToString("N"));
        await store.PutBytesAsync(key, TestData.Bytes(10_000), cancellationToken: Ct);

        await using (var download = await store.OpenReadAsync(key, new ReadBlobOptions { Range = new ByteRange(1_000, 5_000) }, Ct))
        {
            Assert.Equal(0, _telemetry.Sum("musiclocker.storage.bytes_read", "s3")); // opened, nothing read yet
            await download.Content.ReadExactlyAsync(new byte[1_234], Ct);
            Assert.Equal(1_234, _telemetry.Sum("musiclocker.storage.bytes_read", "s3"));
        }

        // Closed early: only what was read counts.
        Assert.Equal(1_234, _telemetry.Sum("musiclocker.storage.bytes_read", "s3"));
        Assert.Equal(5_000L, Assert.Single(_telemetry.SpansOf("storage.read", key.Value)).GetTagItem("musiclocker.bytes"));
    }

    [Fact]
    public async Task A_call_refused_by_its_argument_checks_is_a_failed_span_too()
    {
        var server = await S3rverServer.GetSharedAsync();
        using var store = new S3BlobStore(S3TestStores.Options(server, await S3TestStores.CreateBucketAsync(server)));
        var key = BlobKey.Parse("telemetry/refused-" + Guid.NewGuid().ToString("N"));
        var bad = new PutBlobOptions { Metadata = new Dictionary<string, string> { ["bad name"] = "x" } };

        await Assert.ThrowsAsync<BlobStoreException>(() => store.PutBytesAsync(key, new byte[1], bad, Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.GetReadUrlAsync(key, TimeSpan.Zero, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => store.GetPropertiesAsync(default, Ct));

        var put = Assert.Single(_telemetry.SpansOf("storage.put", key.Value));
        Assert.Equal((ActivityStatusCode.Error, "InvalidArgument"), (put.Status, put.GetTagItem("error.type")));
        var url = Assert.Single(_telemetry.SpansOf("storage.read_url", key.Value));
        Assert.Equal("System.ArgumentOutOfRangeException", url.GetTagItem("error.type"));
        Assert.Contains(_telemetry.Spans, s => s.OperationName == "storage.get_properties" && s.GetTagItem("musiclocker.blob.key") is null && (string?)s.GetTagItem("error.type") == "System.ArgumentException" && (string?)s.GetTagItem("musiclocker.store") == "s3");
        Assert.Equal(0, _telemetry.Sum("musiclocker.storage.bytes_written", "s3"));
    }

    [Fact]
    public async Task A_read_url_is_offered_through_IBlobReadUrlSource_and_traced()
    {
        var server = await S3rverServer.GetSharedAsync();
        using var store = new S3BlobStore(S3TestStores.Options(server, await S3TestStores.CreateBucketAsync(server)));
        var key = BlobKey.Parse("telemetry/url-" + Guid.NewGuid().ToString("N"));

        IBlobStore asStore = store;
        var source = Assert.IsAssignableFrom<IBlobReadUrlSource>(asStore);
        var url = await source.GetReadUrlAsync(key, TimeSpan.FromMinutes(5), Ct);

        Assert.EndsWith(key.Value, url.AbsolutePath, StringComparison.Ordinal);
        var span = Assert.Single(_telemetry.SpansOf("storage.read_url", key.Value));
        Assert.Equal((ActivityKind.Client, ActivityStatusCode.Unset), (span.Kind, span.Status));
    }
}
