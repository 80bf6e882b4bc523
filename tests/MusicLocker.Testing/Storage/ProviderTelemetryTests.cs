using System.Diagnostics;
using MusicLocker.Storage;

namespace MusicLocker.Testing.Storage;

/// <summary>
/// The spans and counters every provider that talks to a server reports for real calls, as an OpenTelemetry exporter
/// would see them. A provider's test project subclasses it with a factory; counters are process-wide, so the subclass
/// sits in a collection without parallelism.
/// </summary>
public abstract class ProviderTelemetryTests : IDisposable
{
    /// <summary>Everything the <c>MusicLocker.Storage</c> source and meter report while the test runs.</summary>
    protected TelemetryRecorder Telemetry { get; } = new();

    /// <summary>The provider's <c>musiclocker.store</c> name.</summary>
    protected abstract string StoreName { get; }

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A new store over an empty container (an <see cref="IBlobReadUrlSource"/> too); the test disposes it.</summary>
    protected abstract Task<IBlobStore> CreateStoreAsync();

    public void Dispose()
    {
        Telemetry.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task A_put_a_ranged_read_a_copy_and_a_listing_each_report_one_client_span()
    {
        var store = await CreateStoreAsync();
        using var owned = store as IDisposable;
        string name = "telemetry/" + Guid.NewGuid().ToString("N");
        var bytes = TestData.Bytes(1000, 8);
        await store.PutBytesAsync(BlobKey.Parse(name), bytes, cancellationToken: Ct);
        Assert.Equal(bytes[100..300], await store.ReadAllBytesAsync(BlobKey.Parse(name), new ReadBlobOptions { Range = new ByteRange(100, 200) }, cancellationToken: Ct));
        await store.CopyAsync(BlobKey.Parse(name), BlobKey.Parse(name + "-copy"), null, Ct);
        await foreach (var _ in store.ListAsync(name, Ct))
        {
        }

        var put = Assert.Single(Telemetry.SpansOf("storage.put", name));
        Assert.Equal((ActivityKind.Client, StoreName, ActivityStatusCode.Unset), (put.Kind, put.GetTagItem("musiclocker.store"), put.Status));
        Assert.Equal(1000L, put.GetTagItem("musiclocker.bytes"));
        var read = Assert.Single(Telemetry.SpansOf("storage.read", name));
        Assert.Equal(ActivityKind.Client, read.Kind);
        Assert.Equal((100L, 200L, 200L), (read.GetTagItem("musiclocker.range.offset"), read.GetTagItem("musiclocker.range.length"), read.GetTagItem("musiclocker.bytes")));

        // A copy names its source; a listing is one span over the whole enumeration, with the count.
        var copy = Assert.Single(Telemetry.SpansOf("storage.copy", name + "-copy"));
        Assert.Equal((name, 1000L), (copy.GetTagItem("musiclocker.blob.source_key"), copy.GetTagItem("musiclocker.bytes")));
        var list = Assert.Single(Telemetry.SpansTagged("storage.list", "musiclocker.blob.prefix", name));
        Assert.Equal((ActivityKind.Client, StoreName, 2L), (list.Kind, list.GetTagItem("musiclocker.store"), list.GetTagItem("musiclocker.list.count")));
    }

    [Fact]
    public async Task A_failed_call_reports_an_error_span_with_the_error_code()
    {
        var store = await CreateStoreAsync();
        using var owned = store as IDisposable;
        string name = "missing/" + Guid.NewGuid().ToString("N");

        await Assert.ThrowsAsync<BlobNotFoundException>(() => store.GetPropertiesAsync(BlobKey.Parse(name), Ct));

        var failed = Assert.Single(Telemetry.SpansOf("storage.get_properties", name));
        Assert.Equal((ActivityStatusCode.Error, "BlobNotFound"), (failed.Status, failed.GetTagItem("error.type")));
        Assert.Equal(1, Telemetry.Count("musiclocker.storage.operations", StoreName, "get_properties", "error"));
    }

    [Fact]
    public async Task A_download_counts_bytes_read_as_the_caller_reads_them_not_when_it_opens()
    {
        var store = await CreateStoreAsync();
        using var owned = store as IDisposable;
        var key = BlobKey.Parse("telemetry/read-" + Guid.NewGuid().ToString("N"));
        await store.PutBytesAsync(key, TestData.Bytes(10_000), cancellationToken: Ct);

        await using (var download = await store.OpenReadAsync(key, new ReadBlobOptions { Range = new ByteRange(1_000, 5_000) }, Ct))
        {
            Assert.Equal(0, Telemetry.Sum("musiclocker.storage.bytes_read", StoreName)); // opened, nothing read yet
            await download.Content.ReadExactlyAsync(new byte[1_234], Ct);
            Assert.Equal(1_234, Telemetry.Sum("musiclocker.storage.bytes_read", StoreName));
        }

        // Closed early: only what was read counts.
        Assert.Equal(1_234, Telemetry.Sum("musiclocker.storage.bytes_read", StoreName));
        Assert.Equal(5_000L, Assert.Single(Telemetry.SpansOf("storage.read", key.Value)).GetTagItem("musiclocker.bytes"));
    }

    [Fact]
    public async Task A_call_refused_by_its_argument_checks_is_a_failed_span_too()
    {
        var store = await CreateStoreAsync();
        using var owned = store as IDisposable;
        var urls = Assert.IsAssignableFrom<IBlobReadUrlSource>(store);
        var key = BlobKey.Parse("telemetry/refused-" + Guid.NewGuid().ToString("N"));
        var bad = new PutBlobOptions { Metadata = new Dictionary<string, string> { ["bad name"] = "x" } };

        await Assert.ThrowsAsync<BlobStoreException>(() => store.PutBytesAsync(key, new byte[1], bad, Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => urls.GetReadUrlAsync(key, TimeSpan.FromDays(8), Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => store.GetPropertiesAsync(default, Ct));

        var put = Assert.Single(Telemetry.SpansOf("storage.put", key.Value));
        Assert.Equal((ActivityStatusCode.Error, "InvalidArgument"), (put.Status, put.GetTagItem("error.type")));
        var url = Assert.Single(Telemetry.SpansOf("storage.read_url", key.Value));
        Assert.Equal("System.ArgumentOutOfRangeException", url.GetTagItem("error.type"));
        Assert.Contains(Telemetry.Spans, s => s.OperationName == "storage.get_properties" && s.GetTagItem("musiclocker.blob.key") is null
            && (string?)s.GetTagItem("error.type") == "System.ArgumentException" && (string?)s.GetTagItem("musiclocker.store") == StoreName);
        Assert.Equal(0, Telemetry.Sum("musiclocker.storage.bytes_written", StoreName));
    }

    [Fact]
    public async Task A_read_url_is_offered_through_IBlobReadUrlSource_and_traced()
    {
        var store = await CreateStoreAsync();
        using var owned = store as IDisposable;
        var key = BlobKey.Parse("telemetry/url-" + Guid.NewGuid().ToString("N"));

        var url = await Assert.IsAssignableFrom<IBlobReadUrlSource>(store).GetReadUrlAsync(key, TimeSpan.FromMinutes(5), Ct);

        Assert.EndsWith(key.Value, url.AbsolutePath, StringComparison.Ordinal);
        var span = Assert.Single(Telemetry.SpansOf("storage.read_url", key.Value));
        Assert.Equal((ActivityKind.Client, StoreName, ActivityStatusCode.Unset), (span.Kind, span.GetTagItem("musiclocker.store"), span.Status));
    }
}
