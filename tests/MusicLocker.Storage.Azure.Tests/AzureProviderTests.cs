using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage;
using Azure.Storage.Blobs;
using MusicLocker.Storage.Providers;
using MusicLocker.Testing;
using MusicLocker.Testing.Servers;

namespace MusicLocker.Storage.Azure.Tests;

/// <summary>What the Azure provider adds around the contract: app-supplied clients, copied options, read URLs, telemetry.</summary>
public sealed class AzureProviderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(AzuriteServer Server, string Container)> ContainerAsync()
    {
        var server = await AzuriteServer.GetSharedAsync();
        string container = AzureTestStores.NewContainerName();
        using (await AzureTestStores.CreateAsync(server, container))
        {
        }

        return (server, container);
    }

    private static FaultInjectingHandler Forwarding() => new((_, _, _) => Task.FromResult<HttpResponseMessage?>(null));

    [Fact]
    public async Task Later_changes_to_the_options_object_have_no_effect_on_the_store()
    {
        var (server, container) = await ContainerAsync();
        var handler = Forwarding();
        var options = AzureTestStores.Options(server, container, handler);
        using var store = new AzureBlobStore(options);
        options.PartSize = 1024;
        options.ContainerName = "elsewhere";
        options.AccountKey = Convert.ToBase64String(new byte[64]);
        options.ServiceUri = new Uri("http://127.0.0.1:1/nowhere");
        options.ListPageSize = 1;

        var bytes = TestData.Bytes(10_000, 3);
        await store.PutBytesAsync(BlobKey.Parse("copied/a"), bytes, cancellationToken: Ct);
        Assert.Equal(1, handler.Count); // one Put Blob: the part size is still 5 MiB, not 1 KiB
        Assert.Equal(bytes, await store.ReadAllBytesAsync(BlobKey.Parse("copied/a"), cancellationToken: Ct));
    }

    [Fact]
    public async Task An_app_supplied_client_is_used_as_given_with_its_own_client_options()
    {
        var (server, container) = await ContainerAsync();
        var handler = Forwarding();
        var clientOptions = new BlobClientOptions(AzureTestStores.AzuriteVersion) { Transport = new HttpClientTransport(handler) };
        var service = new BlobServiceClient(server.BlobEndpoint, new StorageSharedKeyCredential(AzuriteServer.AccountName, AzuriteServer.AccountKey), clientOptions);

        using (var store = new AzureBlobStore(service, container, new AzureBlobStoreOptions { PartSize = BlobStoreLimits.MinPartSize }))
        {
            await store.PutBytesAsync(BlobKey.Parse("app/client"), new byte[] { 1, 2, 3 }, cancellationToken: Ct);
        }

        using (var viaContainer = new AzureBlobStore(service.GetBlobContainerClient(container)))
        {
            Assert.Equal(new byte[] { 1, 2, 3 }, await viaContainer.ReadAllBytesAsync(BlobKey.Parse("app/client"), cancellationToken: Ct));
        }

        Assert.True(handler.Count >= 2, "the app's transport carried the requests");
        var shaping = new AzureBlobStoreOptions { MaxRetries = 1, AccountKey = AzuriteServer.AccountKey };
        Assert.Throws<ArgumentException>(() => new AzureBlobStore(service, container, shaping));
        Assert.Throws<ArgumentNullException>(() => new AzureBlobStore((BlobContainerClient)null!));
    }

    [Fact]
    public async Task A_read_url_with_the_account_key_serves_the_blob_to_a_plain_http_client()
    {
        var (server, container) = await ContainerAsync();
        using var store = new AzureBlobStore(AzureTestStores.Options(server, container));
        var bytes = TestData.Bytes(70_000, 5);
        await store.PutBytesAsync(BlobKey.Parse("play/track 1.mp3"), bytes, new PutBlobOptions { ContentType = "audio/mpeg" }, Ct);
        await store.PutBytesAsync(BlobKey.Parse("play/other.mp3"), new byte[] { 9 }, cancellationToken: Ct);

        var url = await store.GetReadUrlAsync(BlobKey.Parse("play/track 1.mp3"), TimeSpan.FromMinutes(10), Ct);
        Assert.DoesNotContain(AzuriteServer.AccountKey, url.AbsoluteUri, StringComparison.Ordinal);
        using var http = new HttpClient();
        Assert.Equal(bytes, await http.GetByteArrayAsync(url, Ct));

        // A range, as a player seeks.
        using var ranged = new HttpRequestMessage(HttpMethod.Get, url);
        ranged.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(100, 199);
        using (var response = await http.SendAsync(ranged, Ct))
        {
            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            Assert.Equal(bytes[100..200], await response.Content.ReadAsByteArrayAsync(Ct));
        }

        // Read only, and this blob only.
        using var write = new HttpRequestMessage(HttpMethod.Put, url) { Content = new ByteArrayContent([1]) };
        write.Headers.Add("x-ms-blob-type", "BlockBlob");
        using (var put = await http.SendAsync(write, Ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
        }

        var other = new UriBuilder(url) { Path = url.AbsolutePath.Replace("track%201.mp3", "other.mp3", StringComparison.Ordinal) }.Uri;
        using (var sideways = await http.GetAsync(other, Ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, sideways.StatusCode);
        }
    }

    [Fact]
    public async Task An_expired_read_url_is_refused()
    {
        var (server, container) = await ContainerAsync();
        var options = AzureTestStores.Options(server, container);

        // The store's clock stands two hours back: a URL valid for one hour from then expired an hour ago.
        options.TimeProvider = new ManualTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromHours(2));
        using var store = new AzureBlobStore(options);
        await store.PutBytesAsync(BlobKey.Parse("old"), new byte[] { 1 }, cancellationToken: Ct);
        var url = await store.GetReadUrlAsync(BlobKey.Parse("old"), TimeSpan.FromHours(1), Ct);
        using var http = new HttpClient();
        using var response = await http.GetAsync(url, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.GetReadUrlAsync(BlobKey.Parse("old"), TimeSpan.Zero, Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.GetReadUrlAsync(BlobKey.Parse("old"), TimeSpan.FromDays(8), Ct));
    }

    [Fact]
    public async Task A_store_on_a_sas_token_cannot_sign_read_urls_and_says_so()
    {
        var handler = new FaultInjectingHandler((_, _, _) => Task.FromResult<HttpResponseMessage?>(FaultInjectingHandler.Status(HttpStatusCode.Forbidden)));
        using var store = new AzureBlobStore(new AzureBlobStoreOptions
        {
            ServiceUri = new Uri("https://acme.blob.core.windows.net"),
            ContainerName = "c",
            SasToken = "sv=2025-01-05&sig=x",
            Transport = new HttpClientTransport(handler),
            MaxRetries = 0,
        });
        var ex = await Assert.ThrowsAsync<BlobStoreException>(() => store.GetReadUrlAsync(BlobKey.Parse("k"), TimeSpan.FromMinutes(5), Ct));
        Assert.Equal(BlobErrorCode.AccessDenied, ex.ErrorCode);
        Assert.Equal("k", ex.Key);
    }

    [Fact]
    public async Task A_token_credential_signs_read_urls_with_one_user_delegation_key_for_many_urls()
    {
        // Azurite offers user delegation keys only over HTTPS with OAuth; the key request is answered here, and the SDK signs.
        var now = DateTimeOffset.UtcNow;
        var handler = new FaultInjectingHandler((request, _, _) => Task.FromResult<HttpResponseMessage?>(
            request.RequestUri!.Query.Contains("comp=userdelegationkey", StringComparison.Ordinal)
                ? FaultInjectingHandler.Status(HttpStatusCode.OK, r => r.Content = new StringContent(DelegationKeyXml(now), System.Text.Encoding.UTF8, "application/xml"))
                : FaultInjectingHandler.Status(HttpStatusCode.NotFound)));
        using var store = new AzureBlobStore(new AzureBlobStoreOptions
        {
            ServiceUri = new Uri("https://acme.blob.core.windows.net"),
            ContainerName = "music",
            TokenCredential = new StaticCredential(),
            Transport = new HttpClientTransport(handler),
            TimeProvider = new ManualTimeProvider(now),
        });

        // Many players at once: one delegation key request serves them all.
        var urls = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => store.GetReadUrlAsync(BlobKey.Parse($"a/{(char)('b' + (i % 2))}.flac"), TimeSpan.FromMinutes(30), Ct)));
        var first = urls[0];
        var second = urls[1];
        Assert.Equal(1, handler.Count);
        Assert.Equal("/music/a/b.flac", first.AbsolutePath);
        foreach (var field in new[] { "skoid=oid-1", "sktid=tid-1", "sp=r", "sr=b", "sig=" })
        {
            Assert.Contains(field, first.Query, StringComparison.Ordinal);
        }

        Assert.NotEqual(first.Query, second.Query);
    }

    [Fact]
    public async Task A_put_and_a_ranged_read_each_report_one_client_span_and_retries_are_counted()
    {
        var (server, container) = await ContainerAsync();
        string name = "telemetry/" + Guid.NewGuid().ToString("N");
        int injected = 0;
        var handler = new FaultInjectingHandler((request, _, _) => Task.FromResult(
            request.Method == HttpMethod.Put && request.RequestUri!.AbsolutePath.EndsWith(name, StringComparison.Ordinal) && Interlocked.Exchange(ref injected, 1) == 0
                ? FaultInjectingHandler.Status(HttpStatusCode.ServiceUnavailable)
                : null));
        using var store = new AzureBlobStore(AzureTestStores.Options(server, container, handler));
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
        await Assert.ThrowsAsync<BlobNotFoundException>(() => store.GetPropertiesAsync(BlobKey.Parse(name + "-missing"), Ct));

        var put = Assert.Single(spans, s => s.OperationName == "storage.put");
        Assert.Equal(ActivityKind.Client, put.Kind);
        Assert.Equal("azure", put.GetTagItem("musiclocker.store"));
        Assert.Equal(1000L, put.GetTagItem("musiclocker.bytes"));
        Assert.Equal(ActivityStatusCode.Unset, put.Status);
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
        Assert.Equal("azure", list.GetTagItem("musiclocker.store"));
        Assert.Equal(1, Interlocked.Read(ref retries));
        Assert.Equal(1, injected);
    }

    [Fact]
    public async Task A_failed_call_reports_an_error_span_with_the_error_code()
    {
        var (server, container) = await ContainerAsync();
        using var store = new AzureBlobStore(AzureTestStores.Options(server, container));
        string name = "missing/" + Guid.NewGuid().ToString("N");
        Activity? failed = null;
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == StorageInstrumentation.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => failed = a.GetTagItem("musiclocker.blob.key") as string == name ? a : failed,
        };
        ActivitySource.AddActivityListener(listener);
        await Assert.ThrowsAsync<BlobNotFoundException>(() => store.GetPropertiesAsync(BlobKey.Parse(name), Ct));
        Assert.NotNull(failed);
        Assert.Equal("storage.get_properties", failed.OperationName);
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
        Assert.Equal("BlobNotFound", failed.GetTagItem("error.type"));
    }

    [Fact]
    public async Task The_azure_sdks_own_diagnostic_spans_stay_on()
    {
        var (server, container) = await ContainerAsync();
        using var store = new AzureBlobStore(AzureTestStores.Options(server, container));
        var seen = new System.Collections.Concurrent.ConcurrentBag<string>();
        var subscriptions = new List<IDisposable>();
        using var all = DiagnosticListener.AllListeners.Subscribe(new Observer<DiagnosticListener>(listener =>
        {
            if (listener.Name.StartsWith("Azure.Storage.Blobs", StringComparison.Ordinal))
            {
                lock (subscriptions)
                {
                    subscriptions.Add(listener.Subscribe(new Observer<KeyValuePair<string, object?>>(e => seen.Add(e.Key))));
                }
            }
        }));
        await store.PutBytesAsync(BlobKey.Parse("sdk/spans"), new byte[] { 1 }, cancellationToken: Ct);
        lock (subscriptions)
        {
            subscriptions.ForEach(s => s.Dispose());
        }

        Assert.Contains(seen, name => name.Contains("BlockBlobClient.Upload", StringComparison.Ordinal));
    }

    private sealed class Observer<T>(Action<T> next) : IObserver<T>
    {
        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void OnNext(T value) => next(value);
    }

    private static string DelegationKeyXml(DateTimeOffset now) =>
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><UserDelegationKey><SignedOid>oid-1</SignedOid><SignedTid>tid-1</SignedTid>"
        + $"<SignedStart>{(now - TimeSpan.FromMinutes(5)).UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}</SignedStart><SignedExpiry>{(now + TimeSpan.FromHours(2)).UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}</SignedExpiry>"
        + "<SignedService>b</SignedService><SignedVersion>2025-01-05</SignedVersion><Value>" + Convert.ToBase64String(TestData.Bytes(32, 4)) + "</Value></UserDelegationKey>";

    private sealed class StaticCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new("token", DateTimeOffset.UtcNow.AddHours(1));

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
