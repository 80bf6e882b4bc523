using Azure;
using Azure.Core;
using Azure.Storage;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MusicLocker.Storage.Azure.Internal;

/// <summary>
/// The values of <see cref="AzureBlobStoreOptions"/> a store uses, copied and checked when it is made (the caller's
/// options object may change later without effect), and the container client built from them.
/// </summary>
internal sealed class AzureStoreSettings
{
    private AzureStoreSettings(AzureBlobStoreOptions options)
    {
        PartSize = options.PartSize;
        MaxConcurrency = options.MaxConcurrency;
        ListPageSize = options.ListPageSize;
        TimeProvider = options.TimeProvider;
        Logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<AzureBlobStore>();
    }

    public int PartSize { get; }

    public int MaxConcurrency { get; }

    public int ListPageSize { get; }

    public TimeProvider TimeProvider { get; }

    public ILogger Logger { get; }

    /// <summary>Settings for a store that builds its own client from <paramref name="options"/>.</summary>
    public static (AzureStoreSettings Settings, BlobContainerClient Container) ForOwnClient(AzureBlobStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = Shared(options);
        if (string.IsNullOrWhiteSpace(options.ContainerName) || options.ContainerName.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException("AzureBlobStoreOptions.ContainerName is required (a container name, without '/').", "options.ContainerName");
        }

        if (options.MaxRetries < 0)
        {
            throw new ArgumentOutOfRangeException("options.MaxRetries", options.MaxRetries, "Retries cannot be negative.");
        }

        if (options.RetryDelay < TimeSpan.Zero || options.MaxRetryDelay < options.RetryDelay)
        {
            throw new ArgumentOutOfRangeException("options.RetryDelay", options.RetryDelay, "RetryDelay must be at least zero and at most MaxRetryDelay.");
        }

        if (options.NetworkTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException("options.NetworkTimeout", options.NetworkTimeout, "The network timeout must be positive.");
        }

        var clientOptions = options.ServiceVersion is { } version ? new BlobClientOptions(version) : new BlobClientOptions();
        clientOptions.Retry.Mode = RetryMode.Exponential;
        clientOptions.Retry.MaxRetries = options.MaxRetries;
        clientOptions.Retry.Delay = options.RetryDelay;
        clientOptions.Retry.MaxDelay = options.MaxRetryDelay;
        clientOptions.Retry.NetworkTimeout = options.NetworkTimeout;
        if (options.Transport is { } transport)
        {
            clientOptions.Transport = transport;
        }

        // Counts the tries after the first of each request (the SDK's retry policy sends them): PerRetry runs once per try.
        clientOptions.AddPolicy(new RetryCountingPolicy(settings.Logger), HttpPipelinePosition.PerRetry);
        return (settings, CreateContainerClient(options, clientOptions));
    }

    /// <summary>Settings for a store over an app's client: only the settings that do not shape the client may be set.</summary>
    public static AzureStoreSettings ForAppClient(AzureBlobStoreOptions? options)
    {
        options ??= new AzureBlobStoreOptions();
        if (options.ServiceUri is not null || options.ConnectionString is not null || options.AccountKey is not null || options.SasToken is not null
            || options.TokenCredential is not null || options.ServiceVersion is not null || options.Transport is not null)
        {
            throw new ArgumentException(
                "The store uses the app's BlobServiceClient/BlobContainerClient as given: leave ServiceUri, ConnectionString, credentials, ServiceVersion and Transport unset (its BlobClientOptions apply).",
                nameof(options));
        }

        return Shared(options);
    }

    private static AzureStoreSettings Shared(AzureBlobStoreOptions options)
    {
        if (options.PartSize is < 1024 or > 1024 * 1024 * 1024)
        {
            throw new ArgumentOutOfRangeException("options.PartSize", options.PartSize, "A block sent by PutAsync is 1 KiB to 1 GiB (and held in memory when the stream cannot seek).");
        }

        if (options.MaxConcurrency < 1)
        {
            throw new ArgumentOutOfRangeException("options.MaxConcurrency", options.MaxConcurrency, "At least one block at a time.");
        }

        if (options.ListPageSize is < 1 or > 5000)
        {
            throw new ArgumentOutOfRangeException("options.ListPageSize", options.ListPageSize, "A listing page is 1 to 5000 blobs.");
        }

        if (options.TimeProvider is null)
        {
            throw new ArgumentNullException("options.TimeProvider");
        }

        return new AzureStoreSettings(options);
    }

    private static BlobContainerClient CreateContainerClient(AzureBlobStoreOptions options, BlobClientOptions clientOptions)
    {
        string container = options.ContainerName;
        if (options.ConnectionString is { } connectionString)
        {
            if (options.ServiceUri is not null || options.AccountKey is not null || options.SasToken is not null || options.TokenCredential is not null)
            {
                throw new ArgumentException("Give AzureBlobStoreOptions.ConnectionString alone, or ServiceUri with one credential, not both.", "options.ConnectionString");
            }

            try
            {
                return new BlobContainerClient(connectionString, container, clientOptions);
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
            {
                // The SDK's message would echo the string, and with it an account key: say only what is wrong.
                throw new ArgumentException("AzureBlobStoreOptions.ConnectionString is not a storage connection string with a blob endpoint and a credential.", "options.ConnectionString");
            }
        }

        var service = options.ServiceUri;
        if (service is null || !service.IsAbsoluteUri || (service.Scheme != Uri.UriSchemeHttp && service.Scheme != Uri.UriSchemeHttps) || !string.IsNullOrEmpty(service.Query))
        {
            throw new ArgumentException("AzureBlobStoreOptions.ServiceUri must be an absolute http(s) URI of the blob service, without a query (give a SAS as SasToken).", "options.ServiceUri");
        }

        int credentials = (options.AccountKey is null ? 0 : 1) + (options.SasToken is null ? 0 : 1) + (options.TokenCredential is null ? 0 : 1);
        if (credentials != 1)
        {
            throw new ArgumentException($"Give exactly one of AzureBlobStoreOptions.AccountKey, SasToken and TokenCredential ({credentials} given).", "options.AccountKey");
        }

        var containerUri = new Uri(service.AbsoluteUri.TrimEnd('/') + "/" + Uri.EscapeDataString(container));
        if (options.AccountKey is { } key)
        {
            Span<byte> buffer = stackalloc byte[128];
            if (!Convert.TryFromBase64String(key, buffer, out _))
            {
                throw new ArgumentException("AzureBlobStoreOptions.AccountKey is not a base64 account key.", "options.AccountKey");
            }

            string account = options.AccountName ?? new BlobUriBuilder(service).AccountName;
            if (string.IsNullOrEmpty(account))
            {
                throw new ArgumentException($"The account name cannot be read from '{service}'; set AzureBlobStoreOptions.AccountName.", "options.AccountName");
            }

            return new BlobContainerClient(containerUri, new StorageSharedKeyCredential(account, key), clientOptions);
        }

        if (options.SasToken is { } sas)
        {
            // The SAS rides in the URL (not an AzureSasCredential) so that every blob URL the client makes carries it:
            // a copy's source URL needs it as much as the request does.
            return new BlobContainerClient(new Uri(containerUri.AbsoluteUri + "?" + sas.TrimStart('?')), clientOptions);
        }

        return new BlobContainerClient(containerUri, new FailureMappingCredential(options.TokenCredential!), clientOptions);
    }
}
