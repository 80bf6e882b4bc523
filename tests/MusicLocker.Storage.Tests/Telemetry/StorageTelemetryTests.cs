using System.Diagnostics;
using MusicLocker.Storage.FileSystem;
using MusicLocker.Storage.InMemory;
using MusicLocker.Storage.Providers;
using MusicLocker.Storage.Tests.Providers;
using MusicLocker.Testing;

namespace MusicLocker.Storage.Tests.Telemetry;

/// <summary>Counters are process-wide, so the tests that sum them run alone.</summary>
[CollectionDefinition(nameof(TelemetryCollection), DisableParallelization = true)]
public sealed class TelemetryCollection;

/// <summary>The spans, counters and log events of real storage calls, as an OpenTelemetry exporter would see them.</summary>
[Collection(nameof(TelemetryCollection))]
public sealed class StorageTelemetryTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly TelemetryRecorder _telemetry = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _telemetry.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task A_put_is_one_span_with_key_and_bytes_and_counts_the_bytes_written()
    {
        using var store = new FileSystemBlobStore(_folder.Path);
        byte[] bytes = TestData.Bytes(70_000);

        await store.PutBytesAsync(BlobKey.Parse("tel/put"), bytes, null, Ct);

        var span = Assert.Single(_telemetry.SpansOf("storage.put", "tel/put"));
        Assert.Equal("filesystem", span.GetTagItem("musiclocker.store"));
        Assert.Equal(70_000L, span.GetTagItem("musiclocker.bytes"));
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
        Assert.Equal(ActivityKind.Internal, span.Kind);
        Assert.Equal(70_000, _telemetry.Sum("musiclocker.storage.bytes_written", "filesystem"));
        Assert.Equal(1, _telemetry.Count("musiclocker.storage.operations", "filesystem", "put", "ok"));
        Assert.Equal(1, _telemetry.Count("musiclocker.storage.duration", "filesystem", "put", "ok"));
    }

    [Fact]
    public async Task A_multipart_upload_counts_each_part_once_and_tags_every_step()
    {
        using var store = new FileSystemBlobStore(_folder.Path);
        var key = BlobKey.Parse("tel/multi");
        var upload = await store.StartMultipartUploadAsync(key, null, Ct);
        var one = await store.UploadPartAsync(upload, 1, new MemoryStream(TestData.Bytes(30_000)), Ct);
        var two = await store.UploadPartAsync(upload, 2, new MemoryStream(TestData.Bytes(12_345)), Ct);
        await store.CompleteMultipartUploadAsync(upload, [one, two], Ct);

        Assert.Single(_telemetry.SpansOf("storage.multipart.start", "tel/multi"));
        var parts = _telemetry.SpansOf("storage.multipart.upload_part", "tel/multi");
        Assert.Equal([12_345L, 30_000L], parts.Select(p => (long)p.GetTagItem("musiclocker.bytes")!).Order());
        var complete = Assert.Single(_telemetry.SpansOf("storage.multipart.complete", "tel/multi"));
        Assert.Equal(42_345L, complete.GetTagItem("musiclocker.bytes"));

        // The parts' bytes are written once; joining them is not counted again.
        Assert.Equal(42_345, _telemetry.Sum("musiclocker.storage.bytes_written", "filesystem"));
        Assert.Equal(2, _telemetry.Count("musiclocker.storage.operations", "filesystem", "multipart.upload_part", "ok"));
        Assert.Equal(1, _telemetry.Count("musiclocker.storage.operations", "filesystem", "multipart.complete", "ok"));
    }

    [Fact]
    public async Task A_ranged_read_tags_the_range_and_counts_exactly_the_bytes_read_from_the_stream()
    {
        using var store = new FileSystemBlobStore(_folder.Path);
        await store.PutBytesAsync(BlobKey.Parse("tel/read"), TestData.Bytes(5_000), null, Ct);

        var download = await store.OpenReadAsync(BlobKey.Parse("tel/read"), new ReadBlobOptions { Range = new ByteRange(100, 1_000) }, Ct);
        Assert.Equal(0, _telemetry.Sum("musiclocker.storage.bytes_read", "filesystem")); // nothing read yet
        await using (download)
        {
            var buffer = new byte[333];
            int total = 0, n;
            while ((n = await download.Content.ReadAsync(buffer, Ct)) > 0)
            {
                total += n;
                Assert.Equal(total, _telemetry.Sum("musiclocker.storage.bytes_read", "filesystem")); // counted as read
            }
        }

        var span = Assert.Single(_telemetry.SpansOf("storage.read", "tel/read"));
        Assert.Equal(100L, span.GetTagItem("musiclocker.range.offset"));
        Assert.Equal(1_000L, span.GetTagItem("musiclocker.range.length"));
        Assert.Equal(1_000L, span.GetTagItem("musiclocker.bytes"));
        Assert.Equal(1_000, _telemetry.Sum("musiclocker.storage.bytes_read", "filesystem"));
    }

    [Fact]
    public async Task A_download_closed_early_counts_only_what_was_read()
    {
        using var store = new FileSystemBlobStore(_folder.Path);
        await store.PutBytesAsync(BlobKey.Parse("tel/partial"), TestData.Bytes(10_000), null, Ct);

        await using (var download = await store.OpenReadAsync(BlobKey.Parse("tel/partial"), null, Ct))
        {
            await download.Content.ReadExactlyAsync(new byte[10], Ct);
        }

        Assert.Equal(10, _telemetry.Sum("musiclocker.storage.bytes_read", "filesystem"));
    }

    [Fact]
    public async Task A_read_of_a_missing_blob_is_an_error_span_with_its_code()
    {
        using var store = new FileSystemBlobStore(_folder.Path);

        await Assert.ThrowsAsync<BlobNotFoundException>(() => store.OpenReadAsync(BlobKey.Parse("tel/missing"), null, Ct));

        var span = Assert.Single(_telemetry.SpansOf("storage.read", "tel/missing"));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal("BlobNotFound", span.GetTagItem("error.type"));
        Assert.Equal(1, _telemetry.Count("musiclocker.storage.operations", "filesystem", "read", "error"));
        Assert.Equal(0, _telemetry.Count("musiclocker.storage.operations", "filesystem", "read", "ok"));
    }

    [Fact]
    public async Task A_refused_argument_is_a_failed_span_too()
    {
        using var store = new FileSystemBlobStore(_folder.Path);
        var bad = new PutBlobOptions { Metadata = new Dictionary<string, string> { ["bad name"] = "x" } };

        await Assert.ThrowsAsync<BlobStoreException>(() => store.PutBytesAsync(BlobKey.Parse("tel/bad"), new byte[1], bad, Ct));

        var span = Assert.Single(_telemetry.SpansOf("storage.put", "tel/bad"));
        Assert.Equal("InvalidArgument", span.GetTagItem("error.type"));
        Assert.Equal(0, _telemetry.Sum("musiclocker.storage.bytes_written", "filesystem"));
    }

    [Fact]
    public async Task A_listing_is_one_span_over_the_whole_enumeration()
    {
        using var store = new FileSystemBlobStore(_folder.Path);
        await store.PutBytesAsync(BlobKey.Parse("tel/list/a"), new byte[1], null, Ct);
        await store.PutBytesAsync(BlobKey.Parse("tel/list/b"), new byte[1], null, Ct);

        int seen = 0;
        await foreach (var _ in store.ListAsync("tel/list/", Ct))
        {
            seen++;
        }

        var span = Assert.Single(_telemetry.Spans, s => s.OperationName == "storage.list");
        Assert.Equal("tel/list/", span.GetTagItem("musiclocker.blob.prefix"));
        Assert.Equal(2L, span.GetTagItem("musiclocker.list.count"));
        Assert.Equal(2, seen);
    }

    [Fact]
    public async Task The_in_memory_store_reports_the_same_spans_and_counters()
    {
        var store = new InMemoryBlobStore();
        await store.PutBytesAsync(BlobKey.Parse("tel/mem"), TestData.Bytes(2_000), null, Ct);
        var read = await store.ReadAllBytesAsync(BlobKey.Parse("tel/mem"), new ReadBlobOptions { Range = ByteRange.Suffix(500) }, cancellationToken: Ct);
        await Assert.ThrowsAsync<BlobNotFoundException>(() => store.GetPropertiesAsync(BlobKey.Parse("tel/none"), Ct));

        Assert.Equal(500, read.Length);
        Assert.Equal(2_000, _telemetry.Sum("musiclocker.storage.bytes_written", "inmemory"));
        Assert.Equal(500, _telemetry.Sum("musiclocker.storage.bytes_read", "inmemory"));
        var span = Assert.Single(_telemetry.SpansOf("storage.read", "tel/mem"));
        Assert.Equal(1_500L, span.GetTagItem("musiclocker.range.offset"));
        Assert.Equal("inmemory", span.GetTagItem("musiclocker.store"));
        Assert.Equal("BlobNotFound", Assert.Single(_telemetry.SpansOf("storage.get_properties", "tel/none")).GetTagItem("error.type"));
    }

    [Fact]
    public async Task A_suffix_read_that_starts_over_counts_a_retry()
    {
        var key = BlobKey.Parse("music/retry.flac");
        var transport = new FakeReadTransport();
        transport.Put(key, TestData.Bytes(100));
        int gets = 0;
        transport.BeforeGet = () =>
        {
            if (gets++ == 0)
            {
                transport.Put(key, TestData.Bytes(50)); // replaced between the HEAD and the GET: the read starts over once
            }
        };

        using var download = await RangedRead.OpenAsync(key, new ReadBlobOptions { Range = ByteRange.Suffix(10) }, transport, Ct);

        Assert.Equal(1, _telemetry.Sum("musiclocker.storage.retries", "fake", "read"));
    }

    [Fact]
    public async Task Sweeps_and_damaged_blobs_in_listings_are_logged_through_the_options_logger_factory()
    {
        var logs = new ListLoggerFactory();
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        using var store = new FileSystemBlobStore(new FileSystemBlobStoreOptions { RootPath = _folder.Path, LoggerFactory = logs, TimeProvider = time });
        await store.PutBytesAsync(BlobKey.Parse("logs/good"), new byte[3], null, Ct);
        await store.PutBytesAsync(BlobKey.Parse("logs/bad"), new byte[3], null, Ct);
        string badFile = Directory.GetFiles(Path.Combine(_folder.Path, "blobs"), "bad.blob", SearchOption.AllDirectories).Single();
        await File.WriteAllBytesAsync(badFile, "not a blob"u8.ToArray(), Ct);

        var listed = new List<string>();
        await foreach (var item in store.ListAsync("logs/", Ct))
        {
            listed.Add(item.Key.Value);
        }

        await store.SweepAsync(Ct);

        Assert.Equal(["logs/good"], listed);
        var damaged = Assert.Single(logs.Events, e => e.EventId.Id == 1001);
        Assert.Contains("logs/bad", damaged.Message, StringComparison.Ordinal);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, damaged.Level);
        var sweep = Assert.Single(logs.Events, e => e.EventId.Id == 1000);
        Assert.Contains("removed 0 temp files", sweep.Message, StringComparison.Ordinal);
    }
}
