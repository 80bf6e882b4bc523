using Amazon.S3;
using Microsoft.Extensions.Logging;

namespace MusicLocker.Storage.S3;

/// <summary>Where and how an <see cref="S3BlobStore"/> reaches its bucket.</summary>
/// <remarks>
/// The store copies every value when it is made: later changes to this object have no effect on it. With an app-supplied
/// <see cref="IAmazonS3"/> the settings that shape the client (<see cref="ServiceUri"/>, <see cref="Region"/>,
/// <see cref="ForcePathStyle"/>, credentials, <see cref="MaxRetries"/>, <see cref="NetworkTimeout"/>,
/// <see cref="HttpHandler"/>) must be left unset: the client's own configuration applies.
/// </remarks>
public sealed class S3BlobStoreOptions
{
    /// <summary>The default part size: 8 MiB.</summary>
    public const int DefaultPartSize = 8 * 1024 * 1024;

    /// <summary>S3's largest single CopyObject: 5 GiB.</summary>
    public const long MaxSingleCopySize = 5L * 1024 * 1024 * 1024;

    /// <summary>The bucket that holds the blobs (it must exist).</summary>
    public string BucketName { get; set; } = string.Empty;

    /// <summary>
    /// The endpoint of an S3-compatible service (<c>http://127.0.0.1:4568</c>, MinIO, R2, …); <see langword="null"/> for AWS,
    /// reached through <see cref="Region"/>.
    /// </summary>
    public Uri? ServiceUri { get; set; }

    /// <summary>The AWS region, also the signing region for other endpoints (<see langword="null"/>: <c>us-east-1</c>).</summary>
    public string? Region { get; set; }

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
    /// On by default; applies to every request the store sends, on its own client or an app's.
    /// </summary>
    public bool ChecksumsWhenRequiredOnly { get; set; } = true;

    /// <summary>The part size of uploads from a stream: content up to this size is one PutObject, longer content a multipart upload (8 MiB by default; at least 5 MiB).</summary>
    public int PartSize { get; set; } = DefaultPartSize;

    /// <summary>Parts uploaded or copied at the same time (4 by default).</summary>
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>
    /// Copies of sources longer than this are multipart copies (UploadPartCopy of <see cref="CopyPartSize"/> ranges) instead
    /// of one CopyObject, which S3 refuses over 5 GiB (<see cref="MaxSingleCopySize"/> by default, also the most allowed).
    /// </summary>
    public long MultipartCopyThreshold { get; set; } = MaxSingleCopySize;

    /// <summary>The range each UploadPartCopy copies (512 MiB by default; 5 MiB to 5 GiB).</summary>
    public long CopyPartSize { get; set; } = 512L * 1024 * 1024;

    /// <summary>Retries of a failed request by the AWS SDK, with its backoff (<see langword="null"/>: 3).</summary>
    public int? MaxRetries { get; set; }

    /// <summary>The time one request may take before it is abandoned as unavailable (<see langword="null"/>: 100 s).</summary>
    public TimeSpan? NetworkTimeout { get; set; }

    /// <summary>
    /// The HTTP handler requests go through (a proxy, a pinned certificate of a private endpoint); <see langword="null"/>
    /// for a pooled <see cref="SocketsHttpHandler"/>. The store does not dispose a handler given here.
    /// </summary>
    public HttpMessageHandler? HttpHandler { get; set; }

    /// <summary>Keys for which a listing page is asked (1000 by default, the S3 maximum).</summary>
    public int ListPageSize { get; set; } = 1000;

    /// <summary>The clock for the expiry of read URLs.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Where the store logs (retries, failed calls); <see langword="null"/> for no logging.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }
}
