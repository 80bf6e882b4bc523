namespace MusicLocker.Storage.S3;

/// <summary>Where and how an <see cref="S3BlobStore"/> reaches its bucket.</summary>
public sealed class S3BlobStoreOptions
{
    /// <summary>The bucket that holds the blobs (it must exist).</summary>
    public string BucketName { get; set; } = string.Empty;

    /// <summary>
    /// The endpoint of an S3-compatible service (<c>http://127.0.0.1:4568</c>, MinIO, R2, …); <see langword="null"/> for AWS,
    /// reached through <see cref="Region"/>.
    /// </summary>
    public Uri? ServiceUrl { get; set; }

    /// <summary>The AWS region (<c>us-east-1</c> by default), also the signing region for other endpoints.</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>Path-style addressing (<c>endpoint/bucket/key</c>) instead of virtual-host (<c>bucket.endpoint/key</c>); most emulators need it.</summary>
    public bool ForcePathStyle { get; set; }

    /// <summary>The access key id; <see langword="null"/> uses the standard AWS credential chain (environment, profile, instance role).</summary>
    public string? AccessKeyId { get; set; }

    /// <summary>The secret access key (with <see cref="AccessKeyId"/>).</summary>
    public string? SecretAccessKey { get; set; }

    /// <summary>A session token for temporary credentials (with <see cref="AccessKeyId"/>).</summary>
    public string? SessionToken { get; set; }

    /// <summary>
    /// Sends checksums only where S3 requires them and never the <c>aws-chunked</c> body encoding. Needed by endpoints that
    /// do not decode <c>aws-chunked</c> (s3rver stores the raw framing, silently corrupting the blob); costs nothing on AWS.
    /// On by default.
    /// </summary>
    public bool ChecksumsWhenRequiredOnly { get; set; } = true;

    /// <summary>The part size of uploads from a stream: content up to this size is one PutObject, longer content a multipart upload (8 MiB by default; at least 5 MiB).</summary>
    public int PartSize { get; set; } = 8 * 1024 * 1024;

    /// <summary>Parts uploaded at the same time by <see cref="S3BlobStore.PutAsync"/> (4 by default).</summary>
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>Retries of a failed request by the AWS SDK (with its exponential backoff; 3 by default).</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The time one request may take before it is abandoned as unavailable (100 s by default).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>
    /// The HTTP handler requests go through (a proxy, a pinned certificate of a private endpoint); <see langword="null"/>
    /// for the SDK's own. The store does not dispose a handler given here.
    /// </summary>
    public HttpMessageHandler? HttpHandler { get; set; }

    /// <summary>Keys for which a listing page is asked (1000 by default, the S3 maximum).</summary>
    public int ListPageSize { get; set; } = 1000;

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(BucketName))
        {
            throw new ArgumentException("S3BlobStoreOptions.BucketName is required.", nameof(BucketName));
        }

        if (string.IsNullOrWhiteSpace(Region))
        {
            throw new ArgumentException("S3BlobStoreOptions.Region is required (the signing region).", nameof(Region));
        }

        if ((AccessKeyId is null) != (SecretAccessKey is null))
        {
            throw new ArgumentException("S3BlobStoreOptions.AccessKeyId and SecretAccessKey are given together or not at all.", nameof(AccessKeyId));
        }

        if (PartSize < BlobStoreLimits.MinPartSize)
        {
            throw new ArgumentOutOfRangeException(nameof(PartSize), PartSize, $"S3 parts but the last are at least {BlobStoreLimits.MinPartSize} bytes.");
        }

        if (MaxConcurrency < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConcurrency), MaxConcurrency, "At least one part at a time.");
        }

        if (MaxRetries < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetries), MaxRetries, "Retries cannot be negative.");
        }

        if (RequestTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RequestTimeout), RequestTimeout, "The request timeout must be positive.");
        }

        if (ListPageSize is < 1 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(ListPageSize), ListPageSize, "A listing page is 1 to 1000 keys.");
        }
    }
}
