using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Azure.Core;

namespace MusicLocker.Storage.Azure.Internal;

/// <summary>
/// Sends Blob service requests: builds each try afresh (new date, new signature, new body), authorizes it (Shared Key, SAS
/// or bearer token), and retries 408/429/500/502/503/504, network errors and per-try timeouts with exponential backoff and
/// full jitter, honouring <c>Retry-After</c> and <c>x-ms-retry-after-ms</c>.
/// </summary>
internal sealed class AzurePipeline : IDisposable
{
    /// <summary>The REST API version every request names (Azurite refuses versions newer than it knows).</summary>
    public const string ApiVersion = "2025-01-05";

    private static readonly string[] StorageScopes = ["https://storage.azure.com/.default"];
    private readonly AzureBlobStoreOptions _options;
    private readonly HttpClient _http;
    private readonly SharedKeySigner? _signer;
    private readonly string? _sas;
    private readonly SemaphoreSlim _tokenGate = new(1, 1);
    private AccessToken _token;

    public AzurePipeline(AzureBlobStoreOptions options)
    {
        _options = options;
        _http = options.HttpHandler is { } handler
            ? new HttpClient(handler, disposeHandler: false)
            : new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AutomaticDecompression = DecompressionMethods.None });
        _http.Timeout = Timeout.InfiniteTimeSpan; // per try, below

        if (options.AccountKey is not null)
        {
            string account = options.AccountName ?? AccountFromHost(options.ServiceUri!);
            _signer = new SharedKeySigner(account, options.AccountKey);
        }

        _sas = options.SasToken?.TrimStart('?');
        string baseUri = options.ServiceUri!.ToString().TrimEnd('/');
        ContainerUri = new Uri(baseUri + "/" + Uri.EscapeDataString(options.ContainerName));
    }

    /// <summary>The container's URL (without SAS).</summary>
    public Uri ContainerUri { get; }

    /// <summary>A blob's URL (without SAS): each key segment percent-encoded, the slashes kept.</summary>
    public Uri BlobUri(BlobKey key, string? query = null)
    {
        string escaped = string.Join('/', key.Value.Split('/').Select(Uri.EscapeDataString));
        return new Uri(ContainerUri + "/" + escaped + (query is null ? string.Empty : "?" + query));
    }

    /// <summary>A URL with the SAS appended, when the store uses one (copy sources need it too).</summary>
    public Uri Authorize(Uri uri) => _sas is null ? uri : new Uri(uri + (string.IsNullOrEmpty(uri.Query) ? "?" : "&") + _sas);

    /// <summary>
    /// Sends a request, retrying transient failures. Returns the response of the last try whatever its status (a transient
    /// status only when retries are spent); throws <see cref="BlobStoreException"/> (Unavailable) when the last try
    /// failed without a response.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri uri, Action<HttpRequestMessage>? prepare, Func<HttpContent>? content, HttpCompletionOption completion, string key, CancellationToken cancellationToken)
    {
        var target = Authorize(uri);
        for (int attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, target);
            request.Headers.TryAddWithoutValidation("x-ms-version", ApiVersion);
            request.Headers.TryAddWithoutValidation("x-ms-date", _options.TimeProvider.GetUtcNow().ToString("R", CultureInfo.InvariantCulture));
            request.Headers.TryAddWithoutValidation("x-ms-client-request-id", Guid.NewGuid().ToString());
            prepare?.Invoke(request);
            request.Content = content?.Invoke();
            await AuthorizeAsync(request, cancellationToken).ConfigureAwait(false);

            HttpResponseMessage? response = null;
            Exception? failure = null;
            using (var timeout = new CancellationTokenSource(_options.NetworkTimeout, _options.TimeProvider))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token))
            {
                try
                {
                    response = await _http.SendAsync(request, completion, linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    failure = new TimeoutException($"No response within {_options.NetworkTimeout} (AzureBlobStoreOptions.NetworkTimeout).", ex);
                }
                catch (HttpRequestException ex)
                {
                    failure = ex;
                }
                catch (IOException ex)
                {
                    failure = ex;
                }
            }

            if (response is not null && !IsTransient(response.StatusCode))
            {
                return response;
            }

            if (attempt >= _options.MaxRetries)
            {
                return response ?? throw new BlobStoreException(
                    BlobErrorCode.Unavailable,
                    $"{method} of '{key}' failed {attempt + 1} times; the Azure Blob endpoint {uri.GetLeftPart(UriPartial.Authority)} could not be reached: {failure!.Message}",
                    key,
                    failure);
            }

            var delay = RetryDelay(attempt, response);
            response?.Dispose();
            await Task.Delay(delay, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _tokenGate.Dispose();
    }

    internal static bool IsTransient(HttpStatusCode status) => status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
        or HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    /// <summary>The server's Retry-After when it sent one (capped), else exponential backoff with full jitter.</summary>
    internal TimeSpan RetryDelay(int attempt, HttpResponseMessage? response)
    {
        if (response is not null)
        {
            if (response.Headers.TryGetValues("x-ms-retry-after-ms", out var ms)
                && double.TryParse(ms.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out double milliseconds) && milliseconds >= 0)
            {
                return Cap(TimeSpan.FromMilliseconds(milliseconds));
            }

            if (response.Headers.RetryAfter is { } retryAfter)
            {
                if (retryAfter.Delta is { } delta)
                {
                    return Cap(delta);
                }

                if (retryAfter.Date is { } date)
                {
                    return Cap(date - _options.TimeProvider.GetUtcNow());
                }
            }
        }

        double ceiling = Math.Min(_options.MaxRetryDelay.TotalMilliseconds, _options.RetryDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30)));
        double jittered = ceiling * (0.5 + (RandomNumberGenerator.GetInt32(0, 1 << 20) / (double)(1 << 21)));
        return TimeSpan.FromMilliseconds(jittered);
    }

    private TimeSpan Cap(TimeSpan delay) => delay < TimeSpan.Zero ? TimeSpan.Zero : delay > _options.MaxRetryDelay ? _options.MaxRetryDelay : delay;

    private async Task AuthorizeAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (_signer is not null)
        {
            _signer.Sign(request);
        }
        else if (_options.TokenCredential is { } credential)
        {
            string token = await GetTokenAsync(credential, cancellationToken).ConfigureAwait(false);
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        }
    }

    /// <summary>A cached token, renewed five minutes before it expires (one renewal at a time).</summary>
    private async Task<string> GetTokenAsync(TokenCredential credential, CancellationToken cancellationToken)
    {
        var now = _options.TimeProvider.GetUtcNow();
        if (_token.Token is not null && _token.ExpiresOn - now > TimeSpan.FromMinutes(5))
        {
            return _token.Token;
        }

        await _tokenGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_token.Token is null || _token.ExpiresOn - now <= TimeSpan.FromMinutes(5))
            {
                try
                {
                    _token = await credential.GetTokenAsync(new TokenRequestContext(StorageScopes), cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    throw new BlobStoreException(BlobErrorCode.AccessDenied, $"The TokenCredential ({credential.GetType().Name}) gave no token for Azure Storage: {ex.Message}", null, ex);
                }
            }

            return _token.Token;
        }
        finally
        {
            _tokenGate.Release();
        }
    }

    private static string AccountFromHost(Uri endpoint)
    {
        string host = endpoint.Host;
        int dot = host.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || IPAddress.TryParse(host, out _))
        {
            // Path-style endpoints (Azurite, IP addresses) name the account in the first path segment.
            string first = endpoint.AbsolutePath.Trim('/').Split('/')[0];
            return first.Length > 0 ? first : throw new ArgumentException($"The account name cannot be read from '{endpoint}'; set AzureBlobStoreOptions.AccountName.");
        }

        return host[..dot];
    }
}
