using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MusicLocker.Storage.S3.Internal;

/// <summary>
/// The values of <see cref="S3BlobStoreOptions"/> a store uses, copied and checked when it is made (the caller's options
/// object may change later without effect), and the client built from them.
/// </summary>
internal sealed class S3StoreSettings
{
    private const string CopySourceHeader = "x-amz-copy-source";

    private S3StoreSettings(S3BlobStoreOptions options, bool unsignedPayload)
    {
        BucketName = options.BucketName;
        ChecksumsWhenRequiredOnly = options.ChecksumsWhenRequiredOnly;
        PartSize = options.PartSize;
        MaxConcurrency = options.MaxConcurrency;
        MultipartCopyThreshold = options.MultipartCopyThreshold;
        CopyPartSize = options.CopyPartSize;
        ListPageSize = options.ListPageSize;
        TimeProvider = options.TimeProvider;
        Logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<S3BlobStore>();
        UnsignedPayload = unsignedPayload;
    }

    public string BucketName { get; }

    public bool ChecksumsWhenRequiredOnly { get; }

    public int PartSize { get; }

    public int MaxConcurrency { get; }

    public long MultipartCopyThreshold { get; }

    public long CopyPartSize { get; }

    public int ListPageSize { get; }

    public TimeProvider TimeProvider { get; }

    public ILogger Logger { get; }

    /// <summary>
    /// Over TLS the body needs no SigV4 hash (TLS protects it; S3 accepts UNSIGNED-PAYLOAD there), which saves a SHA-256
    /// pass over every byte; over plain HTTP the payload is signed (never aws-chunked, see ChecksumsWhenRequiredOnly).
    /// </summary>
    public bool UnsignedPayload { get; }

    /// <summary>Settings and a client built from <paramref name="options"/>; the handler is the store's to dispose when it made it.</summary>
    public static (S3StoreSettings Settings, AmazonS3Client Client, RetryCountingHandler Handler) ForOwnClient(S3BlobStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        if (options.ServiceUri is { } uri && (!uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
        {
            throw new ArgumentException("S3BlobStoreOptions.ServiceUri must be an absolute http(s) URI.", "options.ServiceUri");
        }

        string region = options.Region ?? "us-east-1";
        if (string.IsNullOrWhiteSpace(region))
        {
            throw new ArgumentException("S3BlobStoreOptions.Region must name a region (the signing region).", "options.Region");
        }

        if ((options.AccessKeyId is null) != (options.SecretAccessKey is null))
        {
            throw new ArgumentException("S3BlobStoreOptions.AccessKeyId and SecretAccessKey are given together or not at all.", "options.AccessKeyId");
        }

        if (options.MaxRetries is < 0)
        {
            throw new ArgumentOutOfRangeException("options.MaxRetries", options.MaxRetries, "Retries cannot be negative.");
        }

        if (options.NetworkTimeout is { } t && t <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException("options.NetworkTimeout", options.NetworkTimeout, "The network timeout must be positive.");
        }

        var settings = new S3StoreSettings(options, options.ServiceUri is null || options.ServiceUri.Scheme == Uri.UriSchemeHttps);
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            MaxErrorRetry = options.MaxRetries ?? 3,
            Timeout = options.NetworkTimeout ?? TimeSpan.FromSeconds(100),
            AuthenticationRegion = region,
        };
        if (options.ServiceUri is { } url)
        {
            config.ServiceURL = url.ToString();
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }

        var handler = new RetryCountingHandler(options.HttpHandler, settings.Logger);
        config.HttpClientFactory = new S3HttpClientFactory(handler);
        if (options.ChecksumsWhenRequiredOnly)
        {
            config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED;
            config.ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED;
        }

        var client = options.AccessKeyId is null
            ? new AmazonS3Client(config)
            : new AmazonS3Client(
                options.SessionToken is null
                    ? new BasicAWSCredentials(options.AccessKeyId, options.SecretAccessKey)
                    : new SessionAWSCredentials(options.AccessKeyId, options.SecretAccessKey, options.SessionToken),
                config);

        // The SDK escapes '/' in x-amz-copy-source as %2F; S3 accepts both, some S3-compatible servers (s3rver) only
        // the literal slash. The header is rewritten after marshalling and before signing, so the signature covers it.
        client.BeforeRequestEvent += static (_, e) =>
        {
            if (e is WebServiceRequestEventArgs { Headers: { } headers } && headers.TryGetValue(CopySourceHeader, out var source) && source.Contains("%2F", StringComparison.OrdinalIgnoreCase))
            {
                headers[CopySourceHeader] = source.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
            }
        };
        return (settings, client, handler);
    }

    /// <summary>Settings for a store over an app's client: only the settings that do not shape the client may be set.</summary>
    public static S3StoreSettings ForAppClient(IAmazonS3 client, S3BlobStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        if (options.ServiceUri is not null || options.Region is not null || options.ForcePathStyle || options.AccessKeyId is not null || options.SecretAccessKey is not null
            || options.SessionToken is not null || options.MaxRetries is not null || options.NetworkTimeout is not null || options.HttpHandler is not null)
        {
            throw new ArgumentException(
                "The store uses the app's IAmazonS3 as given: leave ServiceUri, Region, ForcePathStyle, credentials, MaxRetries, NetworkTimeout and HttpHandler unset (its configuration applies).",
                nameof(options));
        }

        string? endpoint = client.Config?.ServiceURL;
        return new S3StoreSettings(options, endpoint is null || endpoint.StartsWith("https:", StringComparison.OrdinalIgnoreCase));
    }

    private static void Validate(S3BlobStoreOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.BucketName))
        {
            throw new ArgumentException("S3BlobStoreOptions.BucketName is required.", "options.BucketName");
        }

        if (options.PartSize < BlobStoreLimits.MinPartSize)
        {
            throw new ArgumentOutOfRangeException("options.PartSize", options.PartSize, $"S3 parts but the last are at least {BlobStoreLimits.MinPartSize} bytes.");
        }

        if (options.MaxConcurrency < 1)
        {
            throw new ArgumentOutOfRangeException("options.MaxConcurrency", options.MaxConcurrency, "At least one part at a time.");
        }

        if (options.MultipartCopyThreshold is < 0 or > S3BlobStoreOptions.MaxSingleCopySize)
        {
            throw new ArgumentOutOfRangeException("options.MultipartCopyThreshold", options.MultipartCopyThreshold, "A single CopyObject copies at most 5 GiB.");
        }

        if (options.CopyPartSize is < BlobStoreLimits.MinPartSize or > S3BlobStoreOptions.MaxSingleCopySize)
        {
            throw new ArgumentOutOfRangeException("options.CopyPartSize", options.CopyPartSize, "A copied part is 5 MiB to 5 GiB.");
        }

        if (options.ListPageSize is < 1 or > 1000)
        {
            throw new ArgumentOutOfRangeException("options.ListPageSize", options.ListPageSize, "A listing page is 1 to 1000 keys.");
        }

        if (options.TimeProvider is null)
        {
            throw new ArgumentNullException("options.TimeProvider");
        }
    }
}
