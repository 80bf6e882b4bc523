using System.Diagnostics;
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
public sealed class S3BlobStore : IBlobStore, IBlobReadUrlSource, IDisposable
{
    /// <summary>The store's name in telemetry (<c>musiclocker.store</c>).</summary>
    public const string StoreName = "s3";

    private const string ConditionSeparator = "|";
    private readonly IAmazonS3 _client;
    private readonly AmazonS3Client? _ownClient;
    private readonly RetryCountingHandler? _ownHandler;
    private readonly S3StoreSettings _settings;
    private readonly ReadTarget _reads;

    /// <summary>Creates a store whose client is built from <paramref name="options"/> (endpoint, region, credentials, retries).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">The bucket, region, endpoint or credential settings are missing or malformed.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size, count or timeout is out of range (the parameter names the option).</exception>
    public S3BlobStore(S3BlobStoreOptions options)
    {
        (_settings, _ownClient, var handler) = S3StoreSettings.ForOwnClient(options);
        _client = _ownClient;
        _ownHandler = handler.OwnsInner ? handler : null;
        _reads = new ReadTarget(this);
    }

    /// <summary>
    /// Creates a store over a client the app made (as the KMS key provider takes an <c>IAmazonKeyManagementService</c>):
    /// its configuration — endpoint, credentials, retries, checksum settings — applies, and the store does not dispose it.
    /// <paramref name="options"/> gives the bucket and the transfer settings.
    /// </summary>
    /// <remarks>
    /// Retries are counted in <c>musiclocker.storage.retries</c> only on the store's own client. Against s3rver, copies of
    /// keys holding '/' need the store's own client (it sends <c>x-amz-copy-source</c> with literal slashes).
    /// </remarks>
    public S3BlobStore(IAmazonS3 client, S3BlobStoreOptions options)
    {
        _settings = S3StoreSettings.ForAppClient(client, options);
        _client = client;
        _reads = new ReadTarget(this);
    }

    /// <summary>The bucket.</summary>
    public string BucketName => _settings.BucketName;

    /// <inheritdoc />
    public Task<BlobProperties> GetPropertiesAsync(BlobKey key, CancellationToken cancellationToken = default) =>
        TraceAsync("get_properties", key, _ =>
        {
            BlobStoreValidation.Key(key);
            return GetPropertiesCoreAsync(key, cancellationToken);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<BlobDownload> OpenReadAsync(BlobKey key, ReadBlobOptions? options = null, CancellationToken cancellationToken = default) =>
        TraceAsync("read", key, async scope =>
        {
            // The download counts its bytes as the caller reads them (RangeResponse.CreateDownload).
            var download = await RangedRead.OpenAsync(key, options, _reads, cancellationToken).ConfigureAwait(false);
            scope.SetRange(download.Offset, download.Length);
            scope.Activity?.SetTag("musiclocker.bytes", download.Length);
            return download;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<BlobProperties> PutAsync(BlobKey key, Stream content, PutBlobOptions? options = null, CancellationToken cancellationToken = default) =>
        TraceAsync("put", key, async scope =>
        {
            ArgumentNullException.ThrowIfNull(content);
            BlobStoreValidation.Options(key, options);
            var written = await ChunkedUpload.RunAsync(content, _settings.PartSize, _settings.MaxConcurrency, new PutTarget(this, key, options), cancellationToken).ConfigureAwait(false);
            scope.SetBytes(written.Length, written: true);
            return written;
        }, cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// Sources longer than <see cref="S3BlobStoreOptions.MultipartCopyThreshold"/> (5 GiB, CopyObject's limit, by default)
    /// are copied as a multipart upload of UploadPartCopy ranges pinned to the source's version; a failed copy is aborted.
    /// </remarks>
    public Task<BlobProperties> CopyAsync(BlobKey source, BlobKey destination, BlobRequestConditions? destinationConditions = null, CancellationToken cancellationToken = default) =>
        TraceAsync("copy", destination, async scope =>
        {
            BlobStoreValidation.Key(source, nameof(source));
            BlobStoreValidation.Key(destination, nameof(destination));
            BlobStoreValidation.RequestConditions(destinationConditions);
            scope.Activity?.SetTag("musiclocker.blob.source_key", source.Value);
            var copied = await CopyCoreAsync(source, destination, destinationConditions, cancellationToken).ConfigureAwait(false);
            scope.SetBytes(copied.Length, written: true);
            return copied;
        }, cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// A HEAD first reports whether the blob existed (S3 answers 204 either way) and checks <c>If-Match</c> early; the
    /// DeleteObject itself carries <c>If-Match</c>, which S3 checks atomically. Only on an endpoint that ignores the header
    /// (s3rver) is the check not atomic: a write between the HEAD and the delete is lost.
    /// </remarks>
    public Task<bool> DeleteAsync(BlobKey key, BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default) =>
        TraceAsync("delete", key, _ =>
        {
            BlobStoreValidation.Key(key);
            BlobStoreValidation.RequestConditions(conditions);
            return DeleteCoreAsync(key, conditions, cancellationToken);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<MultipartUpload> StartMultipartUploadAsync(BlobKey key, PutBlobOptions? options = null, CancellationToken cancellationToken = default) =>
        TraceAsync("multipart.start", key, _ =>
        {
            BlobStoreValidation.Options(key, options);
            return StartMultipartUploadCoreAsync(key, options, cancellationToken);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<UploadedPart> UploadPartAsync(MultipartUpload upload, int partNumber, Stream content, CancellationToken cancellationToken = default) =>
        TraceAsync("multipart.upload_part", KeyOf(upload), scope =>
        {
            BlobStoreValidation.Upload(upload);
            BlobStoreValidation.PartNumber(partNumber);
            ArgumentNullException.ThrowIfNull(content);
            return UploadOnePartAsync(upload, partNumber, content, scope, cancellationToken);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<UploadedPart>> ListPartsAsync(MultipartUpload upload, CancellationToken cancellationToken = default) =>
        TraceAsync("multipart.list_parts", KeyOf(upload), _ =>
        {
            BlobStoreValidation.Upload(upload);
            return ListPartsCoreAsync(upload, cancellationToken);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<BlobProperties> CompleteMultipartUploadAsync(MultipartUpload upload, IReadOnlyList<UploadedPart> parts, CancellationToken cancellationToken = default) =>
        TraceAsync("multipart.complete", KeyOf(upload), _ =>
        {
            BlobStoreValidation.Upload(upload);
            BlobStoreValidation.CompletionParts(upload, parts);
            return CompleteMultipartUploadCoreAsync(upload, parts, cancellationToken);
        }, cancellationToken);

    /// <inheritdoc />
    public Task AbortMultipartUploadAsync(MultipartUpload upload, CancellationToken cancellationToken = default) =>
        TraceAsync("multipart.abort", KeyOf(upload), _ =>
        {
            BlobStoreValidation.Upload(upload);
            return AbortMultipartUploadCoreAsync(upload, cancellationToken);
        }, cancellationToken);

    /// <inheritdoc />
    /// <remarks>A presigned GET, signed locally with the store's credentials (no request is sent); at most 7 days (SigV4's limit).</remarks>
    public Task<Uri> GetReadUrlAsync(BlobKey key, TimeSpan validity, CancellationToken cancellationToken = default) =>
        TraceAsync("read_url", key, async _ =>
        {
            BlobStoreValidation.ReadUrl(key, validity, TimeSpan.FromDays(7));
            var request = new GetPreSignedUrlRequest
            {
                BucketName = _settings.BucketName,
                Key = key.Value,
                Verb = HttpVerb.GET,
                Expires = (_settings.TimeProvider.GetUtcNow() + validity).UtcDateTime,
                Protocol = _settings.UnsignedPayload ? Protocol.HTTPS : Protocol.HTTP,
            };
            try
            {
                return new Uri(await _client.GetPreSignedURLAsync(request).ConfigureAwait(false));
            }
            catch (AmazonClientException ex)
            {
                throw new BlobStoreException(BlobErrorCode.AccessDenied, $"A read URL for '{key}' could not be signed: {ex.Message}", key.Value, ex);
            }
        }, cancellationToken);

    /// <summary>The key an upload's span is tagged with: none when the upload is null (the call then fails its checks inside the span).</summary>
    private static BlobKey KeyOf(MultipartUpload? upload) => upload?.Key ?? default;

    /// <summary>Runs one store call as one span (<see cref="TracedCall"/>), its requests' retries counted under <paramref name="operation"/>.</summary>
    private Task<T> TraceAsync<T>(string operation, BlobKey key, Func<StorageOperationScope, Task<T>> call, CancellationToken cancellationToken) =>
        TracedCall.RunAsync(StoreName, operation, key, scope =>
        {
            RetryCountingHandler.CurrentOperation.Value = operation;
            return call(scope);
        }, ActivityKind.Client, ex => Failed(ex, operation, key, cancellationToken));

    /// <summary>What a failed call throws: anything the SDK threw that escaped translation becomes a storage exception; storage failures are logged.</summary>
    private Exception Failed(Exception ex, string operation, BlobKey key, CancellationToken cancellationToken)
    {
        var thrown = ex is not BlobStoreException && S3Errors.IsTranslatable(ex, cancellationToken) ? S3Errors.Map(ex, operation, key) : ex;
        if (thrown is BlobStoreException blob)
        {
            S3Log.OperationFailed(_settings.Logger, operation, blob.Key ?? string.Empty, blob.ErrorCode, ex);
        }

        return thrown;
    }

    private async Task<BlobProperties> GetPropertiesCoreAsync(BlobKey key, CancellationToken cancellationToken)
    {
        try
        {
            return await HeadAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (S3Errors.IsTranslatable(ex, cancellationToken))
        {
            throw S3Errors.Map(ex, "Reading the properties", key);
        }
    }


    private async Task<BlobProperties> CopyCoreAsync(BlobKey source, BlobKey destination, BlobRequestConditions? destinationConditions, CancellationToken cancellationToken)
    {
        if (_settings.MultipartCopyThreshold < S3BlobStoreOptions.MaxSingleCopySize || _settings.CopyPartSize < S3BlobStoreOptions.MaxSingleCopySize)
        {
            // The source's length decides between one CopyObject and a multipart copy (S3 refuses CopyObject over 5 GiB).
            BlobProperties origin;
            try
            {
                origin = await HeadAsync(source, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (S3Errors.IsTranslatable(ex, cancellationToken))
            {
                throw S3Errors.Map(ex, "Reading the copy source", source) is BlobNotFoundException { ErrorCode: BlobErrorCode.BlobNotFound } ? SourceMissing(source, destination, ex) : S3Errors.Map(ex, "Reading the copy source", source);
            }

            if (origin.Length > _settings.MultipartCopyThreshold)
            {
                return await MultipartCopy.RunAsync(_client, _settings, origin, destination, destinationConditions, this, cancellationToken).ConfigureAwait(false);
            }
        }

        var request = new CopyObjectRequest
        {
            SourceBucket = _settings.BucketName,
            SourceKey = source.Value,
            DestinationBucket = _settings.BucketName,
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
            if (S3Errors.HasCode(ex, "NoSuchKey") || (S3Errors.Is(ex, HttpStatusCode.NotFound) && !S3Errors.HasCode(ex, "NoSuchBucket")))
            {
                throw SourceMissing(source, destination, ex);
            }

            throw WriteError(ex, "Copying", destination, destinationConditions);
        }
    }

    private async Task<bool> DeleteCoreAsync(BlobKey key, BlobRequestConditions? conditions, CancellationToken cancellationToken)
    {

        // S3 answers 204 whether or not the key existed; the HEAD tells which, and checks If-Match early on servers that
        // ignore it on DeleteObject (S3 itself checks it again, atomically).
        BlobProperties current;
        try
        {
            current = await GetPropertiesCoreAsync(key, cancellationToken).ConfigureAwait(false);
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

        var request = new DeleteObjectRequest { BucketName = _settings.BucketName, Key = key.Value };
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
    public IAsyncEnumerable<BlobItem> ListAsync(string prefix = "", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        return TracedCall.ListAsync(StoreName, prefix, ListCoreAsync(prefix, cancellationToken), ActivityKind.Client, cancellationToken);
    }

    private async IAsyncEnumerable<BlobItem> ListCoreAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request { BucketName = _settings.BucketName, Prefix = prefix, MaxKeys = _settings.ListPageSize };
        while (true)
        {
            ListObjectsV2Response page;
            try
            {
                RetryCountingHandler.CurrentOperation.Value = "list";
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

    private async Task<MultipartUpload> StartMultipartUploadCoreAsync(BlobKey key, PutBlobOptions? options, CancellationToken cancellationToken)
    {
        string id = await InitiateAsync(key, options, cancellationToken).ConfigureAwait(false);
        string conditions = options?.Conditions switch
        {
            { IfNoneMatchAny: true } => ConditionSeparator + "if-none-match=*",
            { IfMatch: { } e } => ConditionSeparator + "if-match=" + e.Value,
            _ => string.Empty,
        };
        return new MultipartUpload(key, id + conditions);
    }

    private async Task<UploadedPart> UploadOnePartAsync(MultipartUpload upload, int partNumber, Stream content, StorageOperationScope scope, CancellationToken cancellationToken)
    {
        var (id, _) = ParseUploadId(upload);

        // The SDK needs a length and (signing the payload over HTTP) a second pass: a stream that cannot seek is spooled
        // to a temp file, never to memory, since a part may be gigabytes.
        PartBody? part = null;
        try
        {
            part = await PartBody.FromStreamAsync(content, cancellationToken).ConfigureAwait(false);
            using var body = part.Open();
            var etag = await UploadPartCoreAsync(upload.Key, id, partNumber, body, part.Length, cancellationToken).ConfigureAwait(false);
            scope.SetBytes(part.Length, written: true);
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

    private async Task<IReadOnlyList<UploadedPart>> ListPartsCoreAsync(MultipartUpload upload, CancellationToken cancellationToken)
    {
        var (id, _) = ParseUploadId(upload);
        var parts = new List<UploadedPart>();
        var request = new ListPartsRequest { BucketName = _settings.BucketName, Key = upload.Key.Value, UploadId = id };
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

    private async Task<BlobProperties> CompleteMultipartUploadCoreAsync(MultipartUpload upload, IReadOnlyList<UploadedPart> parts, CancellationToken cancellationToken)
    {
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

    private async Task<bool> AbortMultipartUploadCoreAsync(MultipartUpload upload, CancellationToken cancellationToken)
    {
        var (id, _) = ParseUploadId(upload);
        try
        {
            await _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = _settings.BucketName, Key = upload.Key.Value, UploadId = id }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (S3Errors.IsTranslatable(ex, cancellationToken))
        {
            if (S3Errors.Is(ex, HttpStatusCode.NotFound))
            {
                return false; // already completed, aborted or swept
            }

            throw S3Errors.MapUpload(ex, "Aborting the multipart upload", upload);
        }

        return true;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _ownClient?.Dispose();
        _ownHandler?.Dispose();
    }

    private async Task<BlobDownload> GetAsync(RangedGetRequest read, CancellationToken cancellationToken)
    {
        var key = read.Key;
        var request = new GetObjectRequest { BucketName = _settings.BucketName, Key = key.Value };
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
                var head = await GetPropertiesCoreAsync(key, cancellationToken).ConfigureAwait(false);
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
            return RangeResponse.CreateDownload(response.ResponseStream, response, properties, served, StoreName);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private async Task<BlobProperties> HeadAsync(BlobKey key, CancellationToken cancellationToken)
    {
        var head = await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _settings.BucketName, Key = key.Value }, cancellationToken).ConfigureAwait(false);
        return new BlobProperties(key, head.Headers.ContentLength, new ETag(head.ETag), ToOffset(head.LastModified), head.Headers.ContentType, ReadMetadata(head.Metadata));
    }

    /// <summary>
    /// The properties of the version just written (<paramref name="etag"/>): read back (S3 returns no time on writes), or, if
    /// another writer came first, what the write itself knows. When the caller knows how many bytes it wrote
    /// (<paramref name="writtenLength"/>), that is the length: the version read back is ours, and an emulator under load
    /// (s3rver) has answered that HEAD with Content-Length 0 for a just-written object.
    /// </summary>
    internal async Task<BlobProperties> PropertiesAfterWriteAsync(BlobKey key, string etag, CancellationToken cancellationToken, long? writtenLength = null)
    {
        try
        {
            var properties = await HeadAsync(key, cancellationToken).ConfigureAwait(false);
            if (properties.ETag.Value == etag)
            {
                return writtenLength is not { } length || length == properties.Length
                    ? properties
                    : new BlobProperties(properties.Key, length, properties.ETag, properties.LastModified, properties.ContentType, properties.Metadata);
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
        var request = new InitiateMultipartUploadRequest { BucketName = _settings.BucketName, Key = key.Value, ContentType = options?.ContentType };
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
            BucketName = _settings.BucketName,
            Key = key.Value,
            UploadId = uploadId,
            PartNumber = partNumber,
            InputStream = body,
            PartSize = length,
            UseChunkEncoding = !_settings.ChecksumsWhenRequiredOnly,
            DisablePayloadSigning = _settings.UnsignedPayload,
        };
        var response = await _client.UploadPartAsync(request, cancellationToken).ConfigureAwait(false);
        return response.ETag;
    }

    internal async Task<string> CompleteCoreAsync(BlobKey key, string uploadId, List<PartETag> parts, BlobRequestConditions? conditions, CancellationToken cancellationToken)
    {
        var request = new CompleteMultipartUploadRequest { BucketName = _settings.BucketName, Key = key.Value, UploadId = uploadId, PartETags = parts };
        ApplyConditions(conditions, v => request.IfMatch = v, v => request.IfNoneMatch = v);
        var response = await _client.CompleteMultipartUploadAsync(request, cancellationToken).ConfigureAwait(false);
        return response.ETag;
    }

    private async Task<BlobProperties> PutObjectAsync(BlobKey key, PartBody content, PutBlobOptions? options, CancellationToken cancellationToken)
    {
        using var body = content.Open();
        var request = new PutObjectRequest
        {
            BucketName = _settings.BucketName,
            Key = key.Value,
            InputStream = body,
            AutoCloseStream = false,
            ContentType = options?.ContentType,
            UseChunkEncoding = !_settings.ChecksumsWhenRequiredOnly,
            DisablePayloadSigning = _settings.UnsignedPayload,
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

        return await PropertiesAfterWriteAsync(key, etag, cancellationToken, content.Length).ConfigureAwait(false);
    }

    private static BlobNotFoundException SourceMissing(BlobKey source, BlobKey destination, Exception ex) =>
        new(source.Value, $"No blob has the key '{source}' (the source of a copy to '{destination}').", BlobErrorCode.BlobNotFound, ex);

    internal static BlobStoreException WriteError(Exception ex, string operation, BlobKey key, BlobRequestConditions? conditions)
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

    internal static void AddMetadata(MetadataCollection target, IReadOnlyDictionary<string, string>? metadata)
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
        public string StoreName => S3BlobStore.StoreName;

        public Task<BlobProperties> GetPropertiesAsync(BlobKey key, CancellationToken cancellationToken) => store.GetPropertiesCoreAsync(key, cancellationToken);

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
                await store._client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = store._settings.BucketName, Key = key.Value, UploadId = session }, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (S3Errors.IsTranslatable(ex, cancellationToken))
            {
                // Best effort after a failed upload: the first failure is what the caller sees; S3 lifecycle rules sweep what stays.
            }
        }
    }
}
