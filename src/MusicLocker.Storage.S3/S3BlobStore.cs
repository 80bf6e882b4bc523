using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using MusicLocker.Storage.Providers;
using MusicLocker.Storage.S3.Internal;

namespace MusicLocker.Storage.S3;

/// <summary>
/// An <see cref="IBlobStore"/> over one bucket of Amazon S3 or any S3-compatible service (AWSSDK.S3). Every failure is a
/// <see cref="BlobStoreException"/>; no AWS type or exception crosses this class.
/// </summary>
/// <remarks>
/// <para>Conditional writes use S3's <c>If-None-Match: *</c> and <c>If-Match</c> on PutObject, CopyObject and
/// CompleteMultipartUpload (S3 honours them since 2024; emulators may not, see the README). A multipart upload's
/// conditions travel inside <see cref="MultipartUpload.UploadId"/>, so a new process completes it with the same conditions.</para>
/// <para>Suffix ranges are resolved to absolute ranges from a HEAD first, because several S3-compatible servers answer
/// <c>bytes=-N</c> wrongly; <see cref="ReadBlobOptions.IfMatch"/> is also checked on the response, so a server that ignores
/// <c>If-Match</c> on reads still never returns another version.</para>
/// </remarks>
public sealed class S3BlobStore : IBlobStore, IDisposable
{
    private const string ConditionSeparator = "|";
    private const string CopySourceHeader = "x-amz-copy-source";
    private readonly AmazonS3Client _client;
    private readonly S3BlobStoreOptions _options;
    private readonly bool _unsignedPayload;
    private readonly ReadTarget _reads;

    /// <summary>Creates a store over the bucket the options name.</summary>
    public S3BlobStore(S3BlobStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _reads = new ReadTarget(this);

        // Over TLS the body needs no SigV4 hash (TLS protects it; S3 accepts UNSIGNED-PAYLOAD there), which saves a SHA-256
        // pass over every byte; over plain HTTP the payload is signed (never aws-chunked, see ChecksumsWhenRequiredOnly).
        _unsignedPayload = options.ServiceUrl is null || options.ServiceUrl.Scheme == Uri.UriSchemeHttps;
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            MaxErrorRetry = options.MaxRetries,
            Timeout = options.RequestTimeout,
            AuthenticationRegion = options.Region,
        };
        if (options.ServiceUrl is { } url)
        {
            config.ServiceURL = url.ToString();
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }

        if (options.HttpHandler is { } handler)
        {
            config.HttpClientFactory = new FixedHandlerHttpClientFactory(handler);
        }

        if (options.ChecksumsWhenRequiredOnly)
        {
            config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED;
            config.ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED;
        }

        _client = options.AccessKeyId is null
            ? new AmazonS3Client(config)
            : new AmazonS3Client(
                options.SessionToken is null
                    ? new BasicAWSCredentials(options.AccessKeyId, options.SecretAccessKey)
                    : new SessionAWSCredentials(options.AccessKeyId, options.SecretAccessKey, options.SessionToken),
                config);

        // The SDK escapes '/' in x-amz-copy-source as %2F; S3 accepts both, some S3-compatible servers (s3rver) only
        // the literal slash. The header is rewritten after marshalling and before signing, so the signature covers it.
        _client.BeforeRequestEvent += static (_, e) =>
        {
            if (e is WebServiceRequestEventArgs { Headers: { } headers } && headers.TryGetValue(CopySourceHeader, out var source) && source.Contains("%2F", StringComparison.OrdinalIgnoreCase))
            {
                headers[CopySourceHeader] = source.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
            }
        };
    }

    /// <summary>The bucket.</summary>
    public string BucketName => _options.BucketName;

    /// <inheritdoc />
    public async Task<BlobProperties> GetPropertiesAsync(BlobKey key, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Key(key);
        try
        {
            return await HeadAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (S3Errors.IsTranslatable(ex, cancellationToken))
        {
            throw S3Errors.Map(ex, "Reading the properties", key);
        }
    }

    /// <inheritdoc />
    public Task<BlobDownload> OpenReadAsync(BlobKey key, ReadBlobOptions? options = null, CancellationToken cancellationToken = default) =>
        RangedRead.OpenAsync(key, options, _reads, cancellationToken);

    /// <inheritdoc />
    public Task<BlobProperties> PutAsync(BlobKey key, Stream content, PutBlobOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        BlobStoreValidation.Options(key, options);
        return ChunkedUpload.RunAsync(content, _options.PartSize, _options.MaxConcurrency, new PutTarget(this, key, options), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<BlobProperties> CopyAsync(BlobKey source, BlobKey destination, BlobRequestConditions? destinationConditions = null, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Key(source, nameof(source));
        BlobStoreValidation.Key(destination, nameof(destination));
        BlobStoreValidation.RequestConditions(destinationConditions);
        var request = new CopyObjectRequest
        {
            SourceBucket = _options.BucketName,
            SourceKey = source.Value,
            DestinationBucket = _options.BucketName,
            DestinationKey = destination.Value,
            MetadataDirective = S3MetadataDirective.COPY,
        };
        ApplyConditions(destinationConditions, v => request.IfMatch = v, v => request.IfNoneMatch = v);
        try
        {
            var response = await _client.CopyObjectAsync(request, cancellationToken).ConfigureAwait(false);
            return await PropertiesAfterWriteAsync(destination, response.ETag, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (S3Errors.IsTranslatable(ex, cancellationToken))
        {
            if (S3Errors.HasCode(ex, "NoSuchKey") || S3Errors.Is(ex, HttpStatusCode.NotFound))
            {
                throw new BlobNotFoundException(source.Value, $"No blob has the key '{source}' (the source of a copy to '{destination}').", BlobErrorCode.BlobNotFound, ex);
            }

            throw WriteError(ex, "Copying", destination, destinationConditions);
        }
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(BlobKey key, BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Key(key);
        BlobStoreValidation.RequestConditions(conditions);

        // S3 answers 204 whether or not the key existed; the HEAD tells which, and checks If-Match early on servers that
        // ignore it on DeleteObject (S3 itself checks it again, atomically).
        BlobProperties current;
        try
        {
            current = await GetPropertiesAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (BlobNotFoundException)
        {
            if (conditions?.IfMatch is { } wanted)
            {
                throw new BlobConditionFailedException(key.Value, $"The blob '{key}' does not exist; the condition asked for version {wanted}.");
            }

            return false;
        }

        if (conditions?.IfMatch is { } expected && expected != current.ETag)
        {
            throw ProviderErrors.VersionChanged(key, expected, current.ETag);
        }

        var request = new DeleteObjectRequest { BucketName = _options.BucketName, Key = key.Value };
        if (conditions?.IfMatch is { } ifMatch)
        {
            request.IfMatch = ifMatch.Value;
        }

        try
        {
            await _client.DeleteObjectAsync(request, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (S3Errors.IsTranslatable(ex, cancellationToken))
        {
            if (S3Errors.Is(ex, HttpStatusCode.NotFound))
            {
                return false;
            }

            throw WriteError(ex, "Deleting", key, conditions);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<BlobItem> ListAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var request = new ListObjectsV2Request { BucketName = _options.BucketName, Prefix = prefix, MaxKeys = _options.ListPageSize };
        while (true)
        {
            ListObjectsV2Response page;
            try
            {
                page = await _client.ListObjectsV2Async(request, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (S3Errors.IsTranslatable(ex, cancellationToken))
            {
                throw S3Errors.Map(ex, $"Listing prefix '{prefix}'", default);
            }

            if (page.S3Objects is { } objects)
            {
                var items = new List<BlobItem>(objects.Count);
                foreach (var o in objects)
                {
                    // Objects written by other tools may have names no BlobKey can hold; they are not this store's blobs.
                    if (BlobKey.TryParse(o.Key, out var key, out _))
                    {
                        items.Add(new BlobItem(key, o.Size ?? 0, new ETag(o.ETag), ToOffset(o.LastModified)));
                    }
                }

                // S3 pages are in UTF-8 byte order already (the sort then only confirms it); some compatible servers
                // (s3rver) list a page in file-system walk order, which the contract's order does not allow.
                items.Sort(static (a, b) => a.Key.CompareTo(b.Key));
                foreach (var item in items)
                {
                    yield return item;
                }
            }

            if (page.IsTruncated != true || string.IsNullOrEmpty(page.NextContinuationToken))
            {
                yield break;
            }

            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    /// <inheritdoc />
    public async Task<MultipartUpload> StartMultipartUploadAsync(BlobKey key, PutBlobOptions? options = null, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Options(key, options);
        string id = await InitiateAsync(key, options, cancellationToken).ConfigureAwait(false);
        string conditions = options?.Conditions switch
        {
            { IfNoneMatchAny: true } => ConditionSeparator + "if-none-match=*",
            { IfMatch: { } e } => ConditionSeparator + "if-match=" + e.Value,
            _ => string.Empty,
        };
        return new MultipartUpload(key, id + conditions);
    }

    /// <inheritdoc />
    public async Task<UploadedPart> UploadPartAsync(MultipartUpload upload, int partNumber, Stream content, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Upload(upload);
        BlobStoreValidation.PartNumber(partNumber);
        ArgumentNullException.ThrowIfNull(content);
        var (id, _) = ParseUploadId(upload);

        // The SDK needs a length and (signing the payload over HTTP) a second pass: a stream that cannot seek is spooled
        // to a temp file, never to memory, since a part may be gigabytes.
        PartBody? part = null;
        try
        {
            part = await PartBody.FromStreamAsync(content, cancellationToken).ConfigureAwait(false);
            using var body = part.Open();
            var etag = await UploadPartCoreAsync(upload.Key, id, partNumber, body, part.Length, cancellationToken).ConfigureAwait(false);
            return new UploadedPart(partNumber, new ETag(etag), part.Length);
        }
        catch (Exception ex) when (S3Errors.IsTranslatable(ex, cancellationToken))
        {
            throw S3Errors.MapUpload(ex, $"Uploading part {partNumber}", upload);
        }
        finally
        {
            part?.Release();
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<UploadedPart>> ListPartsAsync(MultipartUpload upload, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Upload(upload);
        var (id, _) = ParseUploadId(upload);
        var parts = new List<UploadedPart>();
        var request = new ListPartsRequest { BucketName = _options.BucketName, Key = upload.Key.Value, UploadId = id };
        while (true)
        {
            ListPartsResponse page;
            try
            {
                page = await _client.ListPartsAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (S3Errors.IsTranslatable(ex, cancellationToken))
            {
                throw S3Errors.MapUpload(ex, "Listing the parts", upload);
            }

            if (page.Parts is { } list)
            {
                foreach (var p in list)
                {
                    parts.Add(new UploadedPart(p.PartNumber ?? 0, new ETag(p.ETag), p.Size ?? 0));
                }
            }

            if (page.IsTruncated != true || page.NextPartNumberMarker is null)
            {
                break;
            }

            request.PartNumberMarker = page.NextPartNumberMarker.Value.ToString(CultureInfo.InvariantCulture);
        }

        parts.Sort(static (a, b) => a.PartNumber.CompareTo(b.PartNumber));
        return parts;
    }

    /// <inheritdoc />
    public async Task<BlobProperties> CompleteMultipartUploadAsync(MultipartUpload upload, IReadOnlyList<UploadedPart> parts, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Upload(upload);
        BlobStoreValidation.CompletionParts(upload, parts);
        var (id, conditions) = ParseUploadId(upload);
        var etags = new List<PartETag>(parts.Count);
        foreach (var p in parts)
        {
            etags.Add(new PartETag(p.PartNumber, p.ETag.Value));
        }

        try
        {
            string etag = await CompleteCoreAsync(upload.Key, id, etags, conditions, cancellationToken).ConfigureAwait(false);
            return await PropertiesAfterWriteAsync(upload.Key, etag, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (S3Errors.IsTranslatable(ex, cancellationToken))
        {
            throw S3Errors.HasCode(ex, "NoSuchUpload") ? ProviderErrors.UploadNotFound(upload, ex) : WriteError(ex, "Completing the multipart upload", upload.Key, conditions);
        }
    }

    /// <inheritdoc />
    public async Task AbortMultipartUploadAsync(MultipartUpload upload, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Upload(upload);
        var (id, _) = ParseUploadId(upload);
        try
        {
            await _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = _options.BucketName, Key = upload.Key.Value, UploadId = id }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (S3Errors.IsTranslatable(ex, cancellationToken))
        {
            if (S3Errors.Is(ex, HttpStatusCode.NotFound))
            {
                return; // already completed, aborted or swept
            }

            throw S3Errors.MapUpload(ex, "Aborting the multipart upload", upload);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();

    private async Task<BlobDownload> GetAsync(RangedGetRequest read, CancellationToken cancellationToken)
    {
        var key = read.Key;
        var request = new GetObjectRequest { BucketName = _options.BucketName, Key = key.Value };
        if (read.RangeHeader is { } rangeHeader)
        {
            request.ByteRange = new Amazon.S3.Model.ByteRange(rangeHeader);
        }

        if (read.IfMatch is { } e)
        {
            request.EtagToMatch = e.Value;
        }

        GetObjectResponse response;
        try
        {
            response = await _client.GetObjectAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (S3Errors.IsTranslatable(ex, cancellationToken))
        {
            if (S3Errors.Is(ex, HttpStatusCode.RequestedRangeNotSatisfiable))
            {
                var head = await GetPropertiesAsync(key, cancellationToken).ConfigureAwait(false);
                throw new RangeNotSatisfiableException(key.Value, read.Requested, head.Length);
            }

            if (S3Errors.Is(ex, HttpStatusCode.PreconditionFailed))
            {
                throw new BlobConditionFailedException(key.Value, $"The blob '{key}' is not at version {read.IfMatch}.", ex);
            }

            throw S3Errors.Map(ex, "Reading", key);
        }

        try
        {
            // Resolve also checks the ETag: a server that ignores If-Match (s3rver does) is caught here.
            var etag = new ETag(response.ETag);
            var served = RangeResponse.Resolve(read, etag, response.ContentRange, response.Headers.ContentLength);
            var properties = new BlobProperties(key, served.BlobLength, etag, ToOffset(response.LastModified), response.Headers.ContentType, ReadMetadata(response.Metadata));
            return RangeResponse.CreateDownload(response.ResponseStream, response, properties, served);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private async Task<BlobProperties> HeadAsync(BlobKey key, CancellationToken cancellationToken)
    {
        var head = await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _options.BucketName, Key = key.Value }, cancellationToken).ConfigureAwait(false);
        return new BlobProperties(key, head.Headers.ContentLength, new ETag(head.ETag), ToOffset(head.LastModified), head.Headers.ContentType, ReadMetadata(head.Metadata));
    }

    /// <summary>The properties of the version just written: read back (S3 returns no time on writes), or, if another writer came first, what the write itself knows.</summary>
    private async Task<BlobProperties> PropertiesAfterWriteAsync(BlobKey key, string etag, CancellationToken cancellationToken)
    {
        try
        {
            var properties = await HeadAsync(key, cancellationToken).ConfigureAwait(false);
            if (properties.ETag.Value == etag)
            {
                return properties;
            }
        }
        catch (Exception ex) when (S3Errors.IsTranslatable(ex, cancellationToken))
        {
            throw S3Errors.Map(ex, "Reading back the written version", key);
        }

        throw new BlobConditionFailedException(key.Value, $"The blob '{key}' was written (version {etag}) and replaced by another writer at once; read it again.");
    }

    private async Task<string> InitiateAsync(BlobKey key, PutBlobOptions? options, CancellationToken cancellationToken)
    {
        var request = new InitiateMultipartUploadRequest { BucketName = _options.BucketName, Key = key.Value, ContentType = options?.ContentType };
        AddMetadata(request.Metadata, options?.Metadata);
        try
        {
            var response = await _client.InitiateMultipartUploadAsync(request, cancellationToken).ConfigureAwait(false);
            return response.UploadId;
        }
        catch (Exception ex) when (S3Errors.IsTranslatable(ex, cancellationToken))
        {
            throw S3Errors.Map(ex, "Starting a multipart upload", key);
        }
    }

    private async Task<string> UploadPartCoreAsync(BlobKey key, string uploadId, int partNumber, Stream body, long length, CancellationToken cancellationToken)
    {
        var request = new UploadPartRequest
        {
            BucketName = _options.BucketName,
            Key = key.Value,
            UploadId = uploadId,
            PartNumber = partNumber,
            InputStream = body,
            PartSize = length,
            UseChunkEncoding = !_options.ChecksumsWhenRequiredOnly,
            DisablePayloadSigning = _unsignedPayload,
        };
        var response = await _client.UploadPartAsync(request, cancellationToken).ConfigureAwait(false);
        return response.ETag;
    }

    private async Task<string> CompleteCoreAsync(BlobKey key, string uploadId, List<PartETag> parts, BlobRequestConditions? conditions, CancellationToken cancellationToken)
    {
        var request = new CompleteMultipartUploadRequest { BucketName = _options.BucketName, Key = key.Value, UploadId = uploadId, PartETags = parts };
        ApplyConditions(conditions, v => request.IfMatch = v, v => request.IfNoneMatch = v);
        var response = await _client.CompleteMultipartUploadAsync(request, cancellationToken).ConfigureAwait(false);
        return response.ETag;
    }

    private async Task<BlobProperties> PutObjectAsync(BlobKey key, PartBody content, PutBlobOptions? options, CancellationToken cancellationToken)
    {
        using var body = content.Open();
        var request = new PutObjectRequest
        {
            BucketName = _options.BucketName,
            Key = key.Value,
            InputStream = body,
            AutoCloseStream = false,
            ContentType = options?.ContentType,
            UseChunkEncoding = !_options.ChecksumsWhenRequiredOnly,
            DisablePayloadSigning = _unsignedPayload,
        };
        AddMetadata(request.Metadata, options?.Metadata);
        ApplyConditions(options?.Conditions, v => request.IfMatch = v, v => request.IfNoneMatch = v);
        string etag;
        try
        {
            etag = (await _client.PutObjectAsync(request, cancellationToken).ConfigureAwait(false)).ETag;
        }
        catch (Exception ex) when (S3Errors.IsTranslatable(ex, cancellationToken))
        {
            throw WriteError(ex, "Writing", key, options?.Conditions);
        }

        return await PropertiesAfterWriteAsync(key, etag, cancellationToken).ConfigureAwait(false);
    }

    private static BlobStoreException WriteError(Exception ex, string operation, BlobKey key, BlobRequestConditions? conditions)
    {
        var mapped = S3Errors.Map(ex, operation, key);
        return mapped is BlobConditionFailedException ? ProviderErrors.ConditionFailed(key, conditions, ex) : mapped;
    }

    private static void ApplyConditions(BlobRequestConditions? conditions, Action<string> ifMatch, Action<string> ifNoneMatch)
    {
        if (conditions?.IfMatch is { } e)
        {
            ifMatch(e.Value);
        }
        else if (conditions?.IfNoneMatchAny == true)
        {
            ifNoneMatch("*");
        }
    }

    private static (string Id, BlobRequestConditions? Conditions) ParseUploadId(MultipartUpload upload)
    {
        string value = upload.UploadId;
        int separator = value.IndexOf(ConditionSeparator, StringComparison.Ordinal);
        if (separator < 0)
        {
            return (value, null);
        }

        string id = value[..separator];
        string condition = value[(separator + 1)..];
        if (condition == "if-none-match=*")
        {
            return (id, BlobRequestConditions.CreateOnly);
        }

        const string IfMatchPrefix = "if-match=";
        if (condition.StartsWith(IfMatchPrefix, StringComparison.Ordinal) && condition.Length > IfMatchPrefix.Length)
        {
            return (id, BlobRequestConditions.Matching(new ETag(condition[IfMatchPrefix.Length..])));
        }

        throw ProviderErrors.UploadNotFound(upload);
    }

    private static void AddMetadata(MetadataCollection target, IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null)
        {
            return;
        }

        foreach (var (name, value) in metadata)
        {
            target.Add(name.ToLowerInvariant(), value);
        }
    }

    private static Dictionary<string, string> ReadMetadata(MetadataCollection metadata)
    {
        const string Prefix = "x-amz-meta-";
        var result = new Dictionary<string, string>(metadata.Count, StringComparer.Ordinal);
        foreach (string name in metadata.Keys)
        {
            string bare = name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) ? name[Prefix.Length..] : name;
            result[bare.ToLowerInvariant()] = metadata[name];
        }

        return result;
    }

    private static DateTimeOffset ToOffset(DateTime? value) => value is { } v
        ? new DateTimeOffset(v.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(v, DateTimeKind.Utc) : v.ToUniversalTime())
        : DateTimeOffset.UnixEpoch;

    /// <summary>OpenReadAsync's HEAD and GET.</summary>
    private sealed class ReadTarget(S3BlobStore store) : IRangedReadTarget
    {
        public Task<BlobProperties> GetPropertiesAsync(BlobKey key, CancellationToken cancellationToken) => store.GetPropertiesAsync(key, cancellationToken);

        public Task<BlobDownload> GetAsync(RangedGetRequest request, CancellationToken cancellationToken) => store.GetAsync(request, cancellationToken);
    }

    /// <summary>PutAsync's chunks: one PutObject, or a multipart upload with parallel parts.</summary>
    private sealed class PutTarget(S3BlobStore store, BlobKey key, PutBlobOptions? options) : IChunkedUploadTarget<string, PartETag, BlobProperties>
    {
        public Task<BlobProperties> PutSingleAsync(PartBody content, CancellationToken cancellationToken) =>
            store.PutObjectAsync(key, content, options, cancellationToken);

        public Task<string> BeginAsync(CancellationToken cancellationToken) => store.InitiateAsync(key, options, cancellationToken);

        public async Task<PartETag> PutPartAsync(string session, int partNumber, PartBody content, CancellationToken cancellationToken)
        {
            using var body = content.Open();
            try
            {
                string etag = await store.UploadPartCoreAsync(key, session, partNumber, body, content.Length, cancellationToken).ConfigureAwait(false);
                return new PartETag(partNumber, etag);
            }
            catch (Exception ex) when (S3Errors.IsTranslatable(ex, cancellationToken))
            {
                throw S3Errors.Map(ex, $"Uploading part {partNumber}", key);
            }
        }

        public async Task<BlobProperties> CompleteAsync(string session, IReadOnlyList<PartETag> parts, CancellationToken cancellationToken)
        {
            try
            {
                string etag = await store.CompleteCoreAsync(key, session, [.. parts], options?.Conditions, cancellationToken).ConfigureAwait(false);
                return await store.PropertiesAfterWriteAsync(key, etag, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (S3Errors.IsTranslatable(ex, cancellationToken))
            {
                throw WriteError(ex, "Completing the upload", key, options?.Conditions);
            }
        }

        public async Task AbortAsync(string session, CancellationToken cancellationToken)
        {
            try
            {
                await store._client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = store._options.BucketName, Key = key.Value, UploadId = session }, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (S3Errors.IsTranslatable(ex, cancellationToken))
            {
                // Best effort after a failed upload: the first failure is what the caller sees; S3 lifecycle rules sweep what stays.
            }
        }
    }
}
