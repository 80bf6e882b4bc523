using System.Diagnostics;
using System.Net;
using MusicLocker.Testing;
using MusicLocker.Testing.Servers;

namespace MusicLocker.Storage.Azure.Tests;

/// <summary>
/// Retries of transient failures by the Azure SDK's retry policy (configured from the store's options), proven by a
/// fault-injecting handler under the SDK's <c>HttpClientTransport</c> in front of a real Azurite.
/// </summary>
public sealed class AzureRetryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(AzureBlobStore Store, FaultInjectingHandler Handler)> StoreAsync(Func<HttpRequestMessage, int, CancellationToken, Task<HttpResponseMessage?>> fault, Action<AzureBlobStoreOptions>? configure = null)
    {
        var server = await AzuriteServer.GetSharedAsync();
        string container = AzureTestStores.NewContainerName();
        using (var setup = await AzureTestStores.CreateAsync(server, container))
        {
        }

        var handler = new FaultInjectingHandler(fault);
        var options = AzureTestStores.Options(server, container, handler);
        configure?.Invoke(options);
        return (new AzureBlobStore(options), handler);
    }

    [Theory]
    [InlineData(HttpStatusCode.RequestTimeout)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.GatewayTimeout)]
    public async Task Transient_statuses_are_retried_until_the_request_succeeds(HttpStatusCode status)
    {
        // Every request fails twice before it reaches the server.
        int failuresLeft = 0;
        var (store, handler) = await StoreAsync((_, _, _) => Task.FromResult(Interlocked.Decrement(ref failuresLeft) % 3 != 0 ? FaultInjectingHandler.Status(status) : null));
        using var _ = store;
        var bytes = TestData.Bytes(3 * BlobStoreLimits.MinPartSize + 17, 5); // blocks and a block list
        var put = await store.PutBytesAsync(BlobKey.Parse("retry/blob"), bytes, cancellationToken: Ct);
        Assert.Equal(bytes.Length, put.Length);
        Assert.Equal(bytes, await store.ReadAllBytesAsync(BlobKey.Parse("retry/blob"), cancellationToken: Ct));
        Assert.Equal(2 * handler.Requests.Count(r => !r.Injected), handler.Requests.Count(r => r.Injected));
    }

    [Fact]
    public async Task Spent_retries_report_unavailable_after_max_retries_plus_one_tries()
    {
        var (store, handler) = await StoreAsync((_, _, _) => Task.FromResult<HttpResponseMessage?>(FaultInjectingHandler.Status(HttpStatusCode.ServiceUnavailable)), o => o.MaxRetries = 3);
        using var _ = store;
        var ex = await Assert.ThrowsAsync<BlobStoreException>(() => store.GetPropertiesAsync(BlobKey.Parse("x"), Ct));
        Assert.Equal(BlobErrorCode.Unavailable, ex.ErrorCode);
        Assert.True(ex.IsTransient);
        Assert.Equal("x", ex.Key);
        Assert.Equal(4, handler.Count);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest, BlobErrorCode.InvalidArgument)]
    [InlineData(HttpStatusCode.Forbidden, BlobErrorCode.AccessDenied)]
    [InlineData(HttpStatusCode.PreconditionFailed, BlobErrorCode.ConditionFailed)]
    [InlineData(HttpStatusCode.NotImplemented, BlobErrorCode.Unknown)]
    [InlineData(HttpStatusCode.Conflict, BlobErrorCode.Unknown)]
    public async Task Other_statuses_are_not_retried_and_are_mapped(HttpStatusCode status, BlobErrorCode code)
    {
        var (store, handler) = await StoreAsync((_, _, _) => Task.FromResult<HttpResponseMessage?>(FaultInjectingHandler.Status(status)));
        using var _ = store;
        var ex = await Assert.ThrowsAnyAsync<BlobStoreException>(() => store.PutBytesAsync(BlobKey.Parse("x"), new byte[] { 1 }, cancellationToken: Ct));
        Assert.Equal(code, ex.ErrorCode);
        Assert.Equal(1, handler.Count);
    }

    [Fact]
    public async Task Retry_after_seconds_from_the_server_is_honoured()
    {
        var (store, handler) = await StoreAsync((_, i, _) => Task.FromResult(i == 0
            ? FaultInjectingHandler.Status(HttpStatusCode.TooManyRequests, r => r.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(1)))
            : null), o => o.RetryDelay = TimeSpan.FromMilliseconds(1));
        using var _ = store;
        var clock = Stopwatch.StartNew();
        await store.PutBytesAsync(BlobKey.Parse("x"), new byte[] { 1 }, cancellationToken: Ct);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.95), TimeSpan.FromSeconds(10));
        Assert.Equal(2, handler.Count);
    }

    [Fact]
    public async Task Retry_after_milliseconds_from_the_service_is_honoured()
    {
        var (store, _) = await StoreAsync((_, i, _) => Task.FromResult(i == 0
            ? FaultInjectingHandler.Status(HttpStatusCode.ServiceUnavailable, r => r.Headers.TryAddWithoutValidation("x-ms-retry-after-ms", "700"))
            : null), o => o.RetryDelay = TimeSpan.FromMilliseconds(1));
        using var _ = store;
        var clock = Stopwatch.StartNew();
        await store.PutBytesAsync(BlobKey.Parse("x"), new byte[] { 1 }, cancellationToken: Ct);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.65), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Dropped_connections_are_retried()
    {
        var (store, handler) = await StoreAsync((_, i, _) => i % 2 == 0 ? throw new HttpRequestException("Connection reset by peer (injected)") : Task.FromResult<HttpResponseMessage?>(null));
        using var _ = store;
        await store.PutBytesAsync(BlobKey.Parse("x"), TestData.Bytes(1000), cancellationToken: Ct);
        Assert.Equal(TestData.Bytes(1000), await store.ReadAllBytesAsync(BlobKey.Parse("x"), cancellationToken: Ct));
        Assert.Equal(4, handler.Count);
    }

    [Fact]
    public async Task A_try_without_answer_within_the_network_timeout_is_abandoned_and_retried()
    {
        var (store, handler) = await StoreAsync(async (_, i, tryCancelled) =>
        {
            if (i == 0)
            {
                // A server that never answers: only the try's own timeout ends the wait.
                await Task.Delay(TimeSpan.FromSeconds(30), tryCancelled);
            }

            return null;
        }, o => o.NetworkTimeout = TimeSpan.FromSeconds(1.5));
        using var _ = store;
        var clock = Stopwatch.StartNew();
        await store.PutBytesAsync(BlobKey.Parse("x"), new byte[] { 1 }, cancellationToken: Ct);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");

        // The silent first try was abandoned and retried. On a loaded machine the emulator itself may miss a 1.5 s
        // deadline once more, so a further retry is allowed; what matters is that the put did not wait 30 s.
        Assert.InRange(handler.Count, 2, 4);
    }

    [Fact]
    public async Task The_callers_cancellation_is_not_retried()
    {
        var (store, handler) = await StoreAsync((_, _, _) => Task.FromResult<HttpResponseMessage?>(FaultInjectingHandler.Status(HttpStatusCode.ServiceUnavailable)), o =>
        {
            o.RetryDelay = TimeSpan.FromSeconds(5);
            o.MaxRetryDelay = TimeSpan.FromSeconds(5);
        });
        using var _ = store;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TimeSpan.FromMilliseconds(300));
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.GetPropertiesAsync(BlobKey.Parse("x"), cts.Token));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4));
        Assert.Equal(1, handler.Count);
    }

    [Fact]
    public async Task Retries_are_logged_through_the_options_logger_factory_with_the_operation()
    {
        var logs = new CapturingLoggerFactory();
        var (store, _) = await StoreAsync((_, i, _) => Task.FromResult(i == 0 ? FaultInjectingHandler.Status(HttpStatusCode.ServiceUnavailable) : null), o => o.LoggerFactory = logs);
        using var _ = store;
        await store.PutBytesAsync(BlobKey.Parse("logged"), new byte[] { 1 }, cancellationToken: Ct);
        var retry = Assert.Single(logs.Entries, e => e.EventId == 1750);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, retry.Level);
        Assert.Contains("put", retry.Message, StringComparison.Ordinal);
        Assert.Contains("try 2", retry.Message, StringComparison.Ordinal);
    }

    private sealed class CapturingLoggerFactory : Microsoft.Extensions.Logging.ILoggerFactory, Microsoft.Extensions.Logging.ILogger
    {
        public System.Collections.Concurrent.ConcurrentQueue<(int EventId, Microsoft.Extensions.Logging.LogLevel Level, string Message)> Entries { get; } = new();

        public void AddProvider(Microsoft.Extensions.Logging.ILoggerProvider provider)
        {
        }

        public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => this;

        public void Dispose()
        {
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Enqueue((eventId.Id, logLevel, formatter(state, exception)));
    }
}
