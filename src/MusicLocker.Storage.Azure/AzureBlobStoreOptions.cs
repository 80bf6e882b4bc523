using Azure.Core;
using MusicLocker.Storage.Azure.Internal;

namespace MusicLocker.Storage.Azure;

/// <summary>Where and how an <see cref="AzureBlobStore"/> reaches its container, and how it retries.</summary>
/// <remarks>
/// Give exactly one credential: <see cref="AccountKey"/> (Shared Key), <see cref="SasToken"/>, or <see cref="TokenCredential"/>
/// (Microsoft Entra ID bearer tokens, e.g. from Azure.Identity). <see cref="FromConnectionString"/> fills the endpoint and
/// credential from a storage connection string, including <c>UseDevelopmentStorage=true</c>.
/// </remarks>
public sealed class AzureBlobStoreOptions
{
    /// <summary>The blob service endpoint: <c>https://{account}.blob.core.windows.net</c>, or <c>http://127.0.0.1:10000/devstoreaccount1</c> for Azurite.</summary>
    public Uri? ServiceUri { get; set; }

    /// <summary>The container that holds the blobs (it must exist).</summary>
    public string ContainerName { get; set; } = string.Empty;

    /// <summary>The storage account name; needed with <see cref="AccountKey"/> (read from the endpoint's host when not given).</summary>
    public string? AccountName { get; set; }

    /// <summary>The account key (base64) for Shared Key signing.</summary>
    public string? AccountKey { get; set; }

    /// <summary>A shared access signature (the query string, with or without the leading <c>?</c>).</summary>
    public string? SasToken { get; set; }

    /// <summary>A Microsoft Entra ID credential; requests carry its bearer token for <c>https://storage.azure.com/.default</c>.</summary>
    public TokenCredential? TokenCredential { get; set; }

    /// <summary>The block size of uploads from a stream: content up to this size is one Put Blob, longer content Put Block + Put Block List (8 MiB by default).</summary>
    public int BlockSize { get; set; } = 8 * 1024 * 1024;

    /// <summary>Blocks uploaded at the same time by <see cref="AzureBlobStore.PutAsync"/> (4 by default).</summary>
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>Retries of a request that failed with 408, 429, 500, 502, 503, 504, a network error or a timeout (5 by default).</summary>
    public int MaxRetries { get; set; } = 5;

    /// <summary>The first retry's delay; each later one doubles it, with random jitter (0.8 s by default).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(0.8);

    /// <summary>The longest delay between retries, also the cap on a server's <c>Retry-After</c> (60 s by default).</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long one try may wait for the response headers before it counts as a timeout and is retried (100 s by default).</summary>
    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>Blobs asked for per listing page (5000 by default, the service maximum).</summary>
    public int ListPageSize { get; set; } = 5000;

    /// <summary>The clock for request dates, token expiry and retry delays.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// The HTTP handler requests go through (a proxy, a test's fault injector); <see langword="null"/> for a pooled
    /// <see cref="SocketsHttpHandler"/>. The store does not dispose a handler given here.
    /// </summary>
    public HttpMessageHandler? HttpHandler { get; set; }

    /// <summary>
    /// Options from a storage connection string (<c>DefaultEndpointsProtocol=…;AccountName=…;AccountKey=…</c>,
    /// <c>BlobEndpoint=…;SharedAccessSignature=…</c>, or <c>UseDevelopmentStorage=true</c>) and a container name.
    /// </summary>
    /// <exception cref="FormatException">The connection string is malformed or names no blob endpoint or credential.</exception>
    public static AzureBlobStoreOptions FromConnectionString(string connectionString, string containerName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var parsed = AzureConnectionString.Parse(connectionString);
        return new AzureBlobStoreOptions
        {
            ServiceUri = parsed.BlobEndpoint,
            AccountName = parsed.AccountName,
            AccountKey = parsed.AccountKey,
            SasToken = parsed.SharedAccessSignature,
            ContainerName = containerName,
        };
    }

    internal void Validate()
    {
        if (ServiceUri is null || !ServiceUri.IsAbsoluteUri || (ServiceUri.Scheme != Uri.UriSchemeHttp && ServiceUri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException("AzureBlobStoreOptions.ServiceUri must be an absolute http(s) URI of the blob service.", nameof(ServiceUri));
        }

        if (string.IsNullOrWhiteSpace(ContainerName) || ContainerName.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException("AzureBlobStoreOptions.ContainerName is required (a container name, without '/').", nameof(ContainerName));
        }

        int credentials = (AccountKey is null ? 0 : 1) + (SasToken is null ? 0 : 1) + (TokenCredential is null ? 0 : 1);
        if (credentials != 1)
        {
            throw new ArgumentException($"Give exactly one of AzureBlobStoreOptions.AccountKey, SasToken and TokenCredential ({credentials} given).", nameof(AccountKey));
        }

        if (AccountKey is not null)
        {
            Span<byte> buffer = stackalloc byte[128];
            if (!Convert.TryFromBase64String(AccountKey, buffer, out _))
            {
                throw new ArgumentException("AzureBlobStoreOptions.AccountKey is not a base64 account key.", nameof(AccountKey));
            }
        }

        if (BlockSize is < 1024 or > 1024 * 1024 * 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(BlockSize), BlockSize, "A block buffered by PutAsync is 1 KiB to 1 GiB.");
        }

        if (MaxConcurrency < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConcurrency), MaxConcurrency, "At least one block at a time.");
        }

        if (MaxRetries < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetries), MaxRetries, "Retries cannot be negative.");
        }

        if (RetryDelay < TimeSpan.Zero || MaxRetryDelay < RetryDelay)
        {
            throw new ArgumentOutOfRangeException(nameof(RetryDelay), RetryDelay, "RetryDelay must be at least zero and at most MaxRetryDelay.");
        }

        if (NetworkTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(NetworkTimeout), NetworkTimeout, "The network timeout must be positive.");
        }

        if (ListPageSize is < 1 or > 5000)
        {
            throw new ArgumentOutOfRangeException(nameof(ListPageSize), ListPageSize, "A listing page is 1 to 5000 blobs.");
        }

        ArgumentNullException.ThrowIfNull(TimeProvider);
    }
}
