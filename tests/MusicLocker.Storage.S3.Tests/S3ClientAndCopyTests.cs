using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using MusicLocker.Storage.Providers;
using MusicLocker.Testing;
using MusicLocker.Testing.Servers;

namespace MusicLocker.Storage.S3.Tests;

/// <summary>App-supplied clients, copied options, multipart copies, presigned read URLs and telemetry of the S3 provider.</summary>
public sealed class S3ClientAndCopyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static S3BlobStoreOptions CopyOptions(string bucket) => new()
    {
        BucketName = bucket,
        PartSize = BlobStoreLimits.MinPartSize,
        MultipartCopyThreshold = BlobStoreLimits.MinPartSize,
        CopyPartSize = BlobStoreLimits.MinPartSize,
        MaxConcurrency = 2,
    };

    [Fact]
    public async Task Later_changes_to_the_options_object_have_no_effect_on_the_store()
    {
        var server = await S3rverServer.GetSharedAsync();
        string bucket = await S3TestStores.CreateBucketAsync(server);
        var options = S3TestStores.Options(server, bucket);
        using var store = new S3BlobStore(options);
        options.BucketName = "no-such-bucket";
        options.PartSize = int.MaxValue;
        options.ChecksumsWhenRequiredOnly = false;

        var bytes = TestData.Bytes(BlobStoreLimits.MinPartSize + 1000, 2); // two parts, unsigned-chunk free
        await store.PutBytesAsync(BlobKey.Parse("copied/options"), bytes, cancellationToken: Ct);
        Assert.Equal(bytes, await store.ReadAllBytesAsync(BlobKey.Parse("copied/options"), cancellationToken: Ct));
        Assert.Equal(bucket, store.BucketName);
    }

    [Fact]
    public async Task An_app_supplied_client_is_used_as_given_and_left_open()
    {
        var server = await S3rverServer.GetSharedAsync();
        string bucket = await S3TestStores.CreateBucketAsync(server);
        using var client = S3TestStores.AdminClient(server);
        using (var store = new S3BlobStore(client, new S3BlobStoreOptions { BucketName = bucket }))
        {
            await store.PutBytesAsync(BlobKey.Parse("app/client"), new byte[] { 7, 8 }, cancellationToken: Ct);
            Assert.Equal(new byte[] { 7, 8 }, await store.ReadAllBytesAsync(BlobKey.Parse("app/client"), cancellationToken: Ct));
        }

        // The store did not dispose the app's client.
        Assert.NotNull(await client.GetObjectMetadataAsync(bucket, "app/client", Ct));
        Assert.Throws<ArgumentException>(() => new S3BlobStore(client, new S3BlobStoreOptions { BucketName = bucket, ServiceUri = server.ServiceUrl }));
        Assert.Throws<ArgumentException>(() => new S3BlobStore(client, new S3BlobStoreOptions { BucketName = bucket, MaxRetries = 1 }));
        Assert.Throws<ArgumentNullException>(() => new S3BlobStore(null!, new S3BlobStoreOptions { BucketName = bucket }));
    }

    [Fact]
    public async Task A_copy_over_the_threshold_is_a_multipart_copy_of_pinned_ranges_byte_identical()
    {
        var server = await S3rverServer.GetSharedAsync();
        string bucket = await S3TestStores.CreateBucketAsync(server);
        using var inner = S3TestStores.AdminClient(server);
        var (client, proxy) = CopyEmulatingS3.Over(inner);
        using var store = new S3BlobStore(client, CopyOptions(bucket));
        var bytes = TestData.Bytes((2 * BlobStoreLimits.MinPartSize) + 12_345, 6);
        var source = await store.PutBytesAsync(BlobKey.Parse("big/source.flac"), bytes, new PutBlobOptions { ContentType = "audio/flac", Metadata = new Dictionary<string, string> { ["track-id"] = "42" } }, Ct);

        var copy = await store.CopyAsync(BlobKey.Parse("big/source.flac"), BlobKey.Parse("big/copy.flac"), BlobRequestConditions.CreateOnly, Ct);

        Assert.Equal(bytes.Length, copy.Length);
        Assert.Equal(bytes, await store.ReadAllBytesAsync(BlobKey.Parse("big/copy.flac"), cancellationToken: Ct));
        Assert.Equal("audio/flac", copy.ContentType);
        Assert.Equal("42", copy.Metadata["track-id"]);
        var parts = proxy.CopyParts.OrderBy(p => p.PartNumber).ToList();
        Assert.Equal([1, 2, 3], parts.Select(p => p.PartNumber ?? 0));
        Assert.Equal([0L, BlobStoreLimits.MinPartSize, 2L * BlobStoreLimits.MinPartSize], parts.Select(p => p.FirstByte ?? -1));
        Assert.Equal([BlobStoreLimits.MinPartSize - 1L, (2L * BlobStoreLimits.MinPartSize) - 1, bytes.Length - 1L], parts.Select(p => p.LastByte ?? -1));
        Assert.All(parts, p => Assert.Equal([source.ETag.Value], p.ETagToMatch));
        Assert.Empty(proxy.Aborted);

        // At or under the threshold it is one CopyObject.
        await store.PutBytesAsync(BlobKey.Parse("small-source"), TestData.Bytes(1000, 1), cancellationToken: Ct);
        await store.CopyAsync(BlobKey.Parse("small-source"), BlobKey.Parse("small-copy"), null, Ct);
        Assert.Equal(3, proxy.CopyParts.Count);
        Assert.Equal(TestData.Bytes(1000, 1), await store.ReadAllBytesAsync(BlobKey.Parse("small-copy"), cancellationToken: Ct));
    }

    [Fact]
    public async Task A_source_replaced_mid_copy_fails_the_copy_aborts_it_and_writes_nothing()
    {
        var server = await S3rverServer.GetSharedAsync();
        string bucket = await S3TestStores.CreateBucketAsync(server);
        using var inner = S3TestStores.AdminClient(server);
        var (client, proxy) = CopyEmulatingS3.Over(inner);
        var options = CopyOptions(bucket);
        options.MaxConcurrency = 1;
        using var store = new S3BlobStore(client, options);
        var key = BlobKey.Parse("race/source");
        await store.PutBytesAsync(key, TestData.Bytes((2 * BlobStoreLimits.MinPartSize) + 1, 1), cancellationToken: Ct);
        proxy.BeforePart = async part =>
        {
            if (part == 2)
            {
                await store.PutBytesAsync(key, TestData.Bytes((2 * BlobStoreLimits.MinPartSize) + 1, 2), cancellationToken: Ct);
            }
        };

        var ex = await Assert.ThrowsAsync<BlobConditionFailedException>(() => store.CopyAsync(key, BlobKey.Parse("race/copy"), null, Ct));
        Assert.Contains("race/source", ex.Message, StringComparison.Ordinal);
        Assert.Single(proxy.Aborted);
        await Assert.ThrowsAsync<BlobNotFoundException>(() => store.GetPropertiesAsync(BlobKey.Parse("race/copy"), Ct));
    }

    [Fact]
    public async Task Copying_a_missing_source_is_blob_not_found_for_the_source_on_both_paths()
    {
        var server = await S3rverServer.GetSharedAsync();
        string bucket = await S3TestStores.CreateBucketAsync(server);
        var options = S3TestStores.Options(server, bucket);
        using var single = new S3BlobStore(options);
        options.MultipartCopyThreshold = BlobStoreLimits.MinPartSize;
        options.CopyPartSize = BlobStoreLimits.MinPartSize;
        using var multipart = new S3BlobStore(options);
        foreach (var store in new[] { single, multipart })
        {
            var ex = await Assert.ThrowsAsync<BlobNotFoundException>(() => store.CopyAsync(BlobKey.Parse("nothing"), BlobKey.Parse("dest"), null, Ct));
            Assert.Equal("nothing", ex.Key);
        }
    }

    [Fact]
    public async Task On_s3rver_itself_without_upload_part_copy_a_multipart_copy_fails_as_unknown_and_writes_nothing()
    {
        var server = await S3rverServer.GetSharedAsync();
        string bucket = await S3TestStores.CreateBucketAsync(server);
        var options = S3TestStores.Options(server, bucket);
        options.MultipartCopyThreshold = BlobStoreLimits.MinPartSize;
        options.CopyPartSize = BlobStoreLimits.MinPartSize;
        using var store = new S3BlobStore(options);
        await store.PutBytesAsync(BlobKey.Parse("gap/source"), TestData.Bytes(BlobStoreLimits.MinPartSize + 1, 1), cancellationToken: Ct);
        var ex = await Assert.ThrowsAsync<BlobStoreException>(() => store.CopyAsync(BlobKey.Parse("gap/source"), BlobKey.Parse("gap/copy"), null, Ct));
        Assert.Equal(BlobErrorCode.Unknown, ex.ErrorCode);
        Assert.Contains("not implemented", ex.Message, StringComparison.OrdinalIgnoreCase);
        await Assert.ThrowsAsync<BlobNotFoundException>(() => store.GetPropertiesAsync(BlobKey.Parse("gap/copy"), Ct));
    }

    [Fact]
    public async Task A_presigned_read_url_serves_the_blob_to_a_plain_http_client_until_it_expires()
    {
        var server = await S3rverServer.GetSharedAsync();
        using var store = await S3TestStores.CreateAsync(server);
        var bytes = TestData.Bytes(50_000, 3);
        await store.PutBytesAsync(BlobKey.Parse("play/track 1.mp3"), bytes, cancellationToken: Ct);
        var url = await store.GetReadUrlAsync(BlobKey.Parse("play/track 1.mp3"), TimeSpan.FromSeconds(2), Ct);
        Assert.Contains("X-Amz-Signature=", url.Query, StringComparison.Ordinal);
        using var http = new HttpClient();
        Assert.Equal(bytes, await http.GetByteArrayAsync(url, Ct));

        // s3rver refuses the URL once X-Amz-Date + X-Amz-Expires has passed; poll for it (bounded) rather than sleep a fixed time.
        var deadline = Stopwatch.StartNew();
        HttpStatusCode status;
        do
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), Ct);
            using var response = await http.GetAsync(url, Ct);
            status = response.StatusCode;
        }
        while (status == HttpStatusCode.OK && deadline.Elapsed < TimeSpan.FromSeconds(20));

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.InRange(deadline.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.GetReadUrlAsync(BlobKey.Parse("x"), TimeSpan.FromDays(8), Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.GetReadUrlAsync(BlobKey.Parse("x"), TimeSpan.Zero, Ct));
    }

    [Fact]
    public async Task A_put_and_a_ranged_read_each_report_one_client_span_and_sdk_retries_are_counted()
    {
        var server = await S3rverServer.GetSharedAsync();
        string bucket = await S3TestStores.CreateBucketAsync(server);
        string name = "telemetry/" + Guid.NewGuid().ToString("N");
        int injected = 0;
        using var handler = new FailOnceHandler(r => r.Method == HttpMethod.Put && r.RequestUri!.AbsolutePath.EndsWith(name, StringComparison.Ordinal) && Interlocked.Exchange(ref injected, 1) == 0);
        var options = S3TestStores.Options(server, bucket);
        options.HttpHandler = handler;
        using var store = new S3BlobStore(options);

        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == StorageInstrumentation.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if (a.GetTagItem("musiclocker.blob.key") as string == name || a.GetTagItem("musiclocker.blob.prefix") as string == name || a.GetTagItem("musiclocker.blob.source_key") as string == name)
                {
                    lock (spans)
                    {
                        spans.Add(a);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        long retries = 0;
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == StorageInstrumentation.SourceName && instrument.Name == "musiclocker.storage.retries")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "musiclocker.operation" && tag.Value as string == "put")
                {
                    Interlocked.Add(ref retries, value);
                }
            }
        });
        meters.Start();

        var bytes = TestData.Bytes(1000, 8);
        await store.PutBytesAsync(BlobKey.Parse(name), bytes, cancellationToken: Ct);
        Assert.Equal(bytes[100..300], await store.ReadAllBytesAsync(BlobKey.Parse(name), new ReadBlobOptions { Range = new ByteRange(100, 200) }, cancellationToken: Ct));

        var put = Assert.Single(spans, s => s.OperationName == "storage.put");
        Assert.Equal(ActivityKind.Client, put.Kind);
        Assert.Equal("s3", put.GetTagItem("musiclocker.store"));
        Assert.Equal(1000L, put.GetTagItem("musiclocker.bytes"));
        var read = Assert.Single(spans, s => s.OperationName == "storage.read");
        Assert.Equal(ActivityKind.Client, read.Kind);
        Assert.Equal(100L, read.GetTagItem("musiclocker.range.offset"));
        Assert.Equal(200L, read.GetTagItem("musiclocker.range.length"));
        Assert.Equal(200L, read.GetTagItem("musiclocker.bytes"));

        // A copy names its source; a listing is one span over the whole enumeration, with the count.
        await store.CopyAsync(BlobKey.Parse(name), BlobKey.Parse(name + "-copy"), null, Ct);
        await foreach (var _ in store.ListAsync(name, Ct))
        {
        }

        var copy = Assert.Single(spans, s => s.OperationName == "storage.copy");
        Assert.Equal(name + "-copy", copy.GetTagItem("musiclocker.blob.key"));
        Assert.Equal(1000L, copy.GetTagItem("musiclocker.bytes"));
        var list = Assert.Single(spans, s => s.OperationName == "storage.list");
        Assert.Equal(2L, list.GetTagItem("musiclocker.list.count"));
        Assert.Equal("s3", list.GetTagItem("musiclocker.store"));
        Assert.Equal(1, injected);
        Assert.Equal(1, Interlocked.Read(ref retries));
    }

    [Fact]
    public async Task A_conditional_delete_sends_if_match_for_s3_to_check_atomically_and_abort_honours_its_token()
    {
        var server = await S3rverServer.GetSharedAsync();
        string bucket = await S3TestStores.CreateBucketAsync(server);
        var seen = new System.Collections.Concurrent.ConcurrentQueue<(HttpMethod Method, string? IfMatch)>();
        using var handler = new FailOnceHandler(r =>
        {
            seen.Enqueue((r.Method, r.Headers.TryGetValues("If-Match", out var v) ? v.Single() : null));
            return false;
        });
        var options = S3TestStores.Options(server, bucket);
        options.HttpHandler = handler;
        using var store = new S3BlobStore(options);
        var written = await store.PutBytesAsync(BlobKey.Parse("del/k"), new byte[] { 1 }, cancellationToken: Ct);

        Assert.True(await store.DeleteAsync(BlobKey.Parse("del/k"), BlobRequestConditions.Matching(written.ETag), Ct));
        var delete = Assert.Single(seen, r => r.Method == HttpMethod.Delete);
        Assert.Equal(written.ETag.Value, delete.IfMatch);

        // The caller's token reaches the abort: cancelled, it ends as a cancellation (without it s3rver answers 501).
        var upload = await store.StartMultipartUploadAsync(BlobKey.Parse("del/mp"), null, Ct);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.AbortMultipartUploadAsync(upload, cancelled.Token));
        var unsupported = await Assert.ThrowsAsync<BlobStoreException>(() => store.AbortMultipartUploadAsync(upload, Ct));
        Assert.Equal(BlobErrorCode.Unknown, unsupported.ErrorCode);
    }

    /// <summary>Answers the first request <paramref name="fail"/> picks with a 503 (S3's SlowDown), forwards the rest to s3rver.</summary>
    private sealed class FailOnceHandler(Func<HttpRequestMessage, bool> fail) : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            fail(request)
                ? Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = new StringContent("<Error><Code>SlowDown</Code><Message>injected</Message></Error>") })
                : base.SendAsync(request, cancellationToken);
    }
}
