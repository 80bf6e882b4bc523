using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging;

namespace MusicLocker.Storage.Azure;

/// <summary>Where and how an <see cref="AzureBlobStore"/> reaches its container, and how it retries.</summary>
/// <remarks>
/// <para>Give exactly one way in: <see cref="ConnectionString"/> (including <c>UseDevelopmentStorage=true</c>), or
/// <see cref="ServiceUri"/> with one credential — <see cref="AccountKey"/> (Shared Key), <see cref="SasToken"/>, or
/// <see cref="TokenCredential"/> (Microsoft Entra ID, e.g. Azure.Identity's <c>DefaultAzureCredential</c>). An app that
/// already has a <see cref="BlobServiceClient"/> or <see cref="BlobContainerClient"/> passes that to the store instead,
/// and its own <see cref="BlobClientOptions"/> (retries, transport, diagnostics, service version) apply; the settings of
/// this class that shape the client (credentials, retries, <see cref="ServiceVersion"/>, <see cref="Transport"/>) must
/// then be left unset.</para>
/// <para>The store copies every value when it is made: later changes to this object have no effect on it.</para>
/// </remarks>
public sealed class AzureBlobStoreOptions
{
    /// <summary>The default part size: 8 MiB.</summary>
    public const int DefaultPartSize = 8 * 1024 * 1024;

    /// <summary>The blob service endpoint: <c>https://{account}.blob.core.windows.net</c>, or <c>http://127.0.0.1:10000/devstoreaccount1</c> for Azurite.</summary>
    public Uri? ServiceUri { get; set; }

    /// <summary>The container that holds the blobs (it must exist, or be made with <see cref="AzureBlobStore.CreateContainerIfNotExistsAsync"/>).</summary>
    public string ContainerName { get; set; } = string.Empty;

    /// <summary>A storage connection string (<c>DefaultEndpointsProtocol=…;AccountName=…;AccountKey=…</c>,
    /// <c>BlobEndpoint=…;SharedAccessSignature=…</c>, or <c>UseDevelopmentStorage=true</c>), parsed by the Azure SDK;
    /// instead of <see cref="ServiceUri"/> and a credential.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The storage account name for <see cref="AccountKey"/> (read from <see cref="ServiceUri"/> when not given).</summary>
    public string? AccountName { get; set; }

    /// <summary>The account key (base64) for Shared Key authorization.</summary>
    public string? AccountKey { get; set; }

    /// <summary>A shared access signature (the query string, with or without the leading <c>?</c>).</summary>
    public string? SasToken { get; set; }

    /// <summary>A Microsoft Entra ID credential (bearer tokens for <c>https://storage.azure.com/.default</c>; HTTPS endpoints only).</summary>
    public TokenCredential? TokenCredential { get; set; }

    /// <summary>
    /// The Blob service REST version the client speaks; <see langword="null"/> for the Azure SDK's latest. Azurite 3.37.0
    /// refuses versions after 2025-01-05's generation with "API version not supported": pin
    /// <see cref="BlobClientOptions.ServiceVersion.V2025_01_05"/> against it (the tests do).
    /// </summary>
    public BlobClientOptions.ServiceVersion? ServiceVersion { get; set; }

    /// <summary>
    /// The HTTP transport of the client the store builds (a proxy, a pinned certificate, a test's fault injector, e.g.
    /// <c>new HttpClientTransport(handler)</c>); <see langword="null"/> for the SDK's shared default.
    /// </summary>
    public HttpPipelineTransport? Transport { get; set; }

    /// <summary>The part (block) size of uploads from a stream: content up to this size is one Put Blob, longer content Put Block + Put Block List (8 MiB by default; 1 KiB to 4000 MiB).</summary>
    public int PartSize { get; set; } = DefaultPartSize;

    /// <summary>Blocks uploaded at the same time by <see cref="AzureBlobStore.PutAsync"/> (4 by default).</summary>
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>Retries of a request by the Azure SDK's retry policy (408, 429, 500, 502, 503, 504, network errors, timeouts; 5 by default).</summary>
    public int MaxRetries { get; set; } = 5;

    /// <summary>The first retry's delay; the SDK's exponential policy doubles it per retry, with jitter (0.8 s by default).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(0.8);

    /// <summary>The longest delay between retries (60 s by default).</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long one try may wait for the service before it counts as a timeout and is retried (100 s by default).</summary>
    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>Blobs asked for per listing page (5000 by default, the service maximum).</summary>
    public int ListPageSize { get; set; } = 5000;

    /// <summary>The clock for block-id stamps, copy polling and the start and expiry of read URLs.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Where the store logs (retries, failed calls); <see langword="null"/> for no logging.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Options from a storage connection string and a container name.</summary>
    public static AzureBlobStoreOptions FromConnectionString(string connectionString, string containerName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return new AzureBlobStoreOptions { ConnectionString = connectionString, ContainerName = containerName };
    }
}
