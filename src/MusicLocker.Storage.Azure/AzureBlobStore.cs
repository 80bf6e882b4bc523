using System.Diagnostics;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Sas;
using MusicLocker.Storage.Azure.Internal;
using MusicLocker.Storage.Providers;
using AzureBlobItem = Azure.Storage.Blobs.Models.BlobItem;
using AzureBlobProperties = Azure.Storage.Blobs.Models.BlobProperties;
using AzureConditions = Azure.Storage.Blobs.Models.BlobRequestConditions;
using AzureETag = Azure.ETag;

namespace MusicLocker.Storage.Azure;

/// <summary>
/// An <see cref="IBlobStore"/> over one container of Azure Blob Storage (block blobs) on the Azure SDK
/// (Azure.Storage.Blobs): its credentials, retry policy, transport and diagnostics. Every failure is a
/// <see cref="BlobStoreException"/>; no Azure type or exception crosses the <see cref="IBlobStore"/> surface.
/// </summary>
/// <remarks>
/// <para>Writes from a stream go up as one Put Blob when they fit in <see cref="AzureBlobStoreOptions.PartSize"/>, else as
/// blocks in parallel (Stage Block) and one Commit Block List, so the stream is read once and never held whole. Conditions
/// become the SDK's request conditions (<c>If-None-Match: *</c> / <c>If-Match</c>) on Put Blob, Commit Block List, Copy
/// Blob and Delete Blob.</para>
/// <para>A multipart upload is a set of uncommitted blocks whose ids name the upload (Azure has no upload object), so
/// <see cref="ListPartsAsync"/> and completion work from any process. Committing or replacing the blob by any other writer
/// discards them: the upload is then gone (<see cref="BlobErrorCode.UploadNotFound"/>). Aborting marks the upload with a
/// block (Azure cannot delete uncommitted blocks); the service drops them within a week.</para>
/// <para>Each call is one <c>storage.*</c> span of the <c>MusicLocker.Storage</c> source (the SDK's own
/// <c>Azure.Storage.Blobs.*</c> spans stay on beneath it); retries the SDK sends are counted in
/// <c>musiclocker.storage.retries</c> when the store built the client.</para>
/// </remarks>
public sealed class AzureBlobStore : IBlobStore, IDisposable
{
    /// <summary>The store's name in telemetry (<c>musiclocker.store</c>).</summary>
    public const string StoreName = "azure";

    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);
    private readonly AzureStoreSettings _settings;
    private readonly BlobContainerClient _container;
    private readonly ReadTarget _reads;
    private readonly SemaphoreSlim _delegationGate = new(1, 1);
    private UserDelegationKey? _delegationKey;

    /// <summary>Creates a store whose client is built from <paramref name="options"/> (endpoint or connection string, credential, retries).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">The endpoint, container or credential settings are missing, conflicting or malformed.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size, count or delay is out of range (the parameter names the option).</exception>
    public AzureBlobStore(AzureBlobStoreOptions options)
    {
        (_settings, _container) = AzureStoreSettings.ForOwnClient(options);
        _reads = new ReadTarget(this);
    }

    /// <summary>
    /// Creates a store over a container client the app made (its <see cref="BlobClientOptions"/> — retries, transport,
    /// diagnostics, service version — apply). <paramref name="options"/> gives only the transfer settings.
    /// </summary>
    public AzureBlobStore(BlobContainerClient container, AzureBlobStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(container);
        _settings = AzureStoreSettings.ForAppClient(options);
        _container = container;
        _reads = new ReadTarget(this);
    }

    /// <summary>Creates a store over container <paramref name="containerName"/> of a service client the app made.</summary>
    public AzureBlobStore(BlobServiceClient service, string containerName, AzureBlobStoreOptions? options = null)
        : this(ContainerOf(service, containerName), options)
    {
    }

    /// <summary>The container's URL (without any SAS).</summary>
    public Uri ContainerUri => new BlobUriBuilder(_container.Uri) { Sas = null, Query = null }.ToUri();

    /// <summary>Creates the container when it does not exist (for an app's first start; needs account-level rights).</summary>
    /// <returns><see langword="true"/> when it was created, <see langword="false"/> when it existed.</returns>
    public async Task<bool> CreateContainerIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false) is not null;
        }
        catch (Exception ex) when (AzureErrors.IsTranslatable(ex, cancellationToken))
        {
            throw AzureErrors.Map(ex, "Creating the container", _container.Name);
        }
    }

    /// <inheritdoc />
    public Task<BlobProperties> GetPropertiesAsync(BlobKey key, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Key(key);
        return TraceAsync("get_properties", key, async _ => await HeadAsync(key, cancellationToken).ConfigureAwait(false), cancellationToken);
    }

    /// <inheritdoc />
    public Task<BlobDownload> OpenReadAsync(BlobKey key, ReadBlobOptions? options = null, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Key(key);
        return TraceAsync("read", key, async scope =>
        {
            var download = await RangedRead.OpenAsync(key, options, _reads, cancellationToken).ConfigureAwait(false);
            scope.SetRange(download.Offset, download.Length);
            scope.SetBytes(download.Length, written: false);
            return download;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<BlobProperties> PutAsync(BlobKey key, Stream content, PutBlobOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        BlobStoreValidation.Options(key, options);
        return TraceAsync("put", key, async scope =>
        {
            var written = await ChunkedUpload.RunAsync(content, _settings.PartSize, _settings.MaxConcurrency, new PutTarget(this, key, options), cancellationToken).ConfigureAwait(false);
            scope.SetBytes(written.Length, written: true);
            return written;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<BlobProperties> CopyAsync(BlobKey source, BlobKey destination, BlobRequestConditions? destinationConditions = null, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Key(source, nameof(source));
        BlobStoreValidation.Key(destination, nameof(destination));
        BlobStoreValidation.RequestConditions(destinationConditions);
        return TraceAsync("copy", destination, async scope =>
        {
            scope.Activity?.SetTag("musiclocker.blob.source_key", source.Value);
            var copied = await CopyCoreAsync(source, destination, destinationConditions, cancellationToken).ConfigureAwait(false);
            scope.SetBytes(copied.Length, written: true);
            return copied;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(BlobKey key, BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Key(key);
        BlobStoreValidation.RequestConditions(conditions);
        return TraceAsync("delete", key, async _ =>
        {
            try
            {
                var deleted = await Blob(key).DeleteIfExistsAsync(DeleteSnapshotsOption.None, ToAzure(conditions), cancellationToken).ConfigureAwait(false);
                return deleted.Value || (conditions?.IfMatch is { } wanted
                    ? throw new BlobConditionFailedException(key.Value, $"The blob '{key}' does not exist; the condition asked for version {wanted}.")
                    : false);
            }
            catch (Exception ex) when (AzureErrors.IsTranslatable(ex, cancellationToken))
            {
                throw WriteError(ex, "Deleting", key, conditions);
            }
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<BlobItem> ListAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);

        // One span from the first item asked for to the end of the listing (or its failure), tagged with the count.
        using var scope = StartOperation("list", null);
        scope.Activity?.SetTag("musiclocker.blob.prefix", prefix);
        long count = 0;
        var pages = _container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix.Length == 0 ? null : prefix, cancellationToken)
            .AsPages(pageSizeHint: _settings.ListPageSize).GetAsyncEnumerator(cancellationToken);
        await using (pages.ConfigureAwait(false))
        {
            while (true)
            {
                List<BlobItem> items;
                try
                {
                    if (!await pages.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }

                    items = Items(pages.Current.Values);
                }
                catch (Exception ex) when (AzureErrors.IsTranslatable(ex, cancellationToken))
                {
                    var mapped = AzureErrors.Map(ex, "Listing prefix", prefix);
                    scope.Fail(mapped);
                    throw mapped;
                }
                catch (Exception ex)
                {
                    scope.Fail(ex);
                    throw;
                }

                foreach (var item in items)
                {
                    count++;
                    yield return item;
                }
            }
        }

        scope.Activity?.SetTag("musiclocker.list.count", count);
    }

    /// <inheritdoc />
    public Task<MultipartUpload> StartMultipartUploadAsync(BlobKey key, PutBlobOptions? options = null, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Options(key, options);
        return TraceAsync("multipart.start", key, async _ =>
        {
            var upload = AzureUpload.New(options);
            await StageMarkerAsync(key, upload.BlockId(AzureUpload.StartKind, _settings.TimeProvider), "Starting a multipart upload", cancellationToken).ConfigureAwait(false);
            return new MultipartUpload(key, upload.Encode());
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<UploadedPart> UploadPartAsync(MultipartUpload upload, int partNumber, Stream content, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Upload(upload);
        BlobStoreValidation.PartNumber(partNumber);
        ArgumentNullException.ThrowIfNull(content);
        return TraceAsync("multipart.upload_part", upload.Key, async scope =>
        {
            var state = Decode(upload);
            _ = await FindLiveAsync(upload, state, cancellationToken).ConfigureAwait(false);

            // The SDK sends a retry from the stream's start again: a stream that cannot seek is spooled to a temp file first.
            var part = await PartBody.FromStreamAsync(content, cancellationToken).ConfigureAwait(false);
            try
            {
                string blockId = state.BlockId(AzureUpload.PartKind(partNumber), _settings.TimeProvider);
                await StageBlockAsync(upload.Key, blockId, part, cancellationToken).ConfigureAwait(false);
                scope.SetBytes(part.Length, written: true);
                return new UploadedPart(partNumber, new ETag(blockId), part.Length);
            }
            finally
            {
                part.Release();
            }
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<UploadedPart>> ListPartsAsync(MultipartUpload upload, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Upload(upload);
        return TraceAsync<IReadOnlyList<UploadedPart>>("multipart.list_parts", upload.Key, async _ =>
        {
            var parts = await FindLiveAsync(upload, Decode(upload), cancellationToken).ConfigureAwait(false);
            var result = new List<UploadedPart>(parts.Count);
            foreach (var (number, (id, size)) in parts)
            {
                result.Add(new UploadedPart(number, new ETag(id), size));
            }

            return result;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<BlobProperties> CompleteMultipartUploadAsync(MultipartUpload upload, IReadOnlyList<UploadedPart> parts, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Upload(upload);
        BlobStoreValidation.CompletionParts(upload, parts);
        return TraceAsync("multipart.complete", upload.Key, async scope =>
        {
            var state = Decode(upload);
            var stored = await FindLiveAsync(upload, state, cancellationToken).ConfigureAwait(false);
            var ids = new List<string>(parts.Count);
            long length = 0;
            foreach (var part in parts)
            {
                if (!stored.TryGetValue(part.PartNumber, out var latest))
                {
                    throw ProviderErrors.InvalidPart(upload.Key, $"Part {part.PartNumber} of upload '{state.Id}' was never stored.");
                }

                if (latest.Id != part.ETag.Value)
                {
                    throw ProviderErrors.InvalidPart(upload.Key, $"Part {part.PartNumber} of upload '{state.Id}' has ETag {latest.Id}, not {part.ETag}: it was uploaded again since.");
                }

                ids.Add(latest.Id);
                length += latest.Size;
            }

            var written = await CommitAsync(upload.Key, ids, length, state.ContentType, state.Metadata, state.Conditions, cancellationToken).ConfigureAwait(false);
            scope.Activity?.SetTag("musiclocker.bytes", written.Length); // counted as written when the parts went up
            return written;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task AbortMultipartUploadAsync(MultipartUpload upload, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Upload(upload);
        return TraceAsync("multipart.abort", upload.Key, async _ =>
        {
            if (!AzureUpload.TryDecode(upload.UploadId, out var state))
            {
                return true;
            }

            var blocks = await UncommittedBlocksAsync(upload.Key, cancellationToken).ConfigureAwait(false);
            if (blocks is null || !state.Find(blocks).Live)
            {
                return true; // completed, aborted or swept already
            }

            await StageMarkerAsync(upload.Key, state.BlockId(AzureUpload.AbortKind, _settings.TimeProvider), "Aborting the multipart upload", cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    /// <summary>
    /// A URL that reads <paramref name="key"/> without credentials for <paramref name="validity"/> (for direct-from-storage
    /// playback of unencrypted blobs): a service SAS when the store signs with an account key, a user-delegation SAS when
    /// it uses a token credential. Read permission only, this one blob only; the blob need not exist yet.
    /// </summary>
    /// <param name="key">The blob.</param>
    /// <param name="validity">How long the URL works, from now on the store's clock (at most 7 days).</param>
    /// <param name="cancellationToken">Cancels the fetch of a user delegation key.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="validity"/> is not positive or exceeds 7 days.</exception>
    /// <exception cref="BlobStoreException">
    /// <see cref="BlobErrorCode.AccessDenied"/>: the store's credential cannot sign URLs (a SAS token; a token credential
    /// without the right to get a user delegation key).
    /// </exception>
    public Task<Uri> GetReadUrlAsync(BlobKey key, TimeSpan validity, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Key(key);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(validity, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(validity, TimeSpan.FromDays(7));
        return TraceAsync("read_url", key, async _ =>
        {
            var now = _settings.TimeProvider.GetUtcNow();
            var blob = Blob(key);
            var builder = new BlobSasBuilder(BlobSasPermissions.Read, now + validity)
            {
                BlobContainerName = _container.Name,
                BlobName = key.Value,
                Resource = "b",

                // Backdated: a server whose clock runs behind ours must not refuse the URL as not yet valid.
                StartsOn = now - ClockSkew,
            };
            if (blob.CanGenerateSasUri)
            {
                return blob.GenerateSasUri(builder);
            }

            var delegationKey = await DelegationKeyAsync(now, now + validity, key, cancellationToken).ConfigureAwait(false);
            var sas = builder.ToSasQueryParameters(delegationKey, _container.AccountName);
            return new BlobUriBuilder(blob.Uri) { Sas = sas }.ToUri();
        }, cancellationToken);
    }

    /// <inheritdoc />
    public void Dispose() => _delegationGate.Dispose();

    private static BlobContainerClient ContainerOf(BlobServiceClient service, string containerName)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentException.ThrowIfNullOrWhiteSpace(containerName);
        return service.GetBlobContainerClient(containerName);
    }

    private BlockBlobClient Blob(BlobKey key) => _container.GetBlockBlobClient(key.Value);

    private static StorageOperationScope StartOperation(string operation, BlobKey? key)
    {
        RetryCountingPolicy.CurrentOperation.Value = operation;
        return StorageInstrumentation.StartOperation(StoreName, operation, key, ActivityKind.Client);
    }

    /// <summary>Runs one store call as one span: tags, failure status, and translation of anything the SDK threw.</summary>
    private async Task<T> TraceAsync<T>(string operation, BlobKey key, Func<StorageOperationScope, Task<T>> call, CancellationToken cancellationToken)
    {
        using var scope = StartOperation(operation, key.IsDefault ? null : key);
        try
        {
            return await call(scope).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            var thrown = AzureErrors.IsTranslatable(ex, cancellationToken) && ex is not BlobStoreException ? AzureErrors.Map(ex, operation, key.IsDefault ? string.Empty : key.Value) : ex;
            scope.Fail(thrown);
            if (thrown is BlobStoreException blob)
            {
                AzureLog.OperationFailed(_settings.Logger, operation, blob.Key ?? string.Empty, blob.ErrorCode, ex);
            }

            if (ReferenceEquals(thrown, ex))
            {
                throw;
            }

            throw thrown;
        }
    }

    private async Task<UserDelegationKey> DelegationKeyAsync(DateTimeOffset now, DateTimeOffset expiresOn, BlobKey key, CancellationToken cancellationToken)
    {
        await _delegationGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // One key serves every URL that expires before it does (the service allows keys of up to 7 days).
            if (_delegationKey is { } cached && cached.SignedExpiresOn >= expiresOn && cached.SignedStartsOn <= now - ClockSkew)
            {
                return cached;
            }

            var service = _container.GetParentBlobServiceClient();
            var keyExpiry = expiresOn + TimeSpan.FromHours(1) > now + TimeSpan.FromDays(7) ? now + TimeSpan.FromDays(7) : expiresOn + TimeSpan.FromHours(1);
            try
            {
                _delegationKey = (await service.GetUserDelegationKeyAsync(now - ClockSkew, keyExpiry, cancellationToken).ConfigureAwait(false)).Value;
            }
            catch (Exception ex) when (AzureErrors.IsTranslatable(ex, cancellationToken))
            {
                throw new BlobStoreException(
                    BlobErrorCode.AccessDenied,
                    $"A read URL for '{key}' needs an account key or a token credential allowed to get a user delegation key; this store's credential gave none ({(ex is RequestFailedException r ? r.Status + " " + r.ErrorCode : ex.GetType().Name)}).",
                    key.Value,
                    ex);
            }

            return _delegationKey;
        }
        finally
        {
            _delegationGate.Release();
        }
    }

    private async Task<BlobProperties> HeadAsync(BlobKey key, CancellationToken cancellationToken)
    {
        try
        {
            var properties = (await Blob(key).GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            return new BlobProperties(key, properties.ContentLength, ToOurs(properties.ETag, key), properties.LastModified, properties.ContentType, ReadMetadata(properties.Metadata));
        }
        catch (Exception ex) when (AzureErrors.IsTranslatable(ex, cancellationToken))
        {
            throw AzureErrors.Map(ex, "Reading the properties", key.Value);
        }
    }

    private async Task<BlobProperties> CopyCoreAsync(BlobKey source, BlobKey destination, BlobRequestConditions? conditions, CancellationToken cancellationToken)
    {
        try
        {
            // Within one account the source URL needs no SAS with Shared Key or a token; with a SAS, the client's blob URLs carry it.
            await Blob(destination).StartCopyFromUriAsync(Blob(source).Uri, new BlobCopyFromUriOptions { DestinationConditions = ToAzure(conditions) }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (AzureErrors.IsTranslatable(ex, cancellationToken))
        {
            if (AzureErrors.IsBlobMissing(ex) && ex is RequestFailedException { ErrorCode: "CannotVerifyCopySource" or "BlobNotFound" })
            {
                throw new BlobNotFoundException(source.Value, $"No blob has the key '{source}' (the source of a copy to '{destination}').", BlobErrorCode.BlobNotFound, ex);
            }

            throw WriteError(ex, "Copying to", destination, conditions);
        }

        // Within one account a copy usually completes before the answer; when it is pending, wait for it.
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            AzureBlobProperties head;
            try
            {
                head = (await Blob(destination).GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            }
            catch (Exception ex) when (AzureErrors.IsTranslatable(ex, cancellationToken))
            {
                throw AzureErrors.Map(ex, "Reading the copy", destination.Value);
            }

            if (head.BlobCopyStatus is null or CopyStatus.Success)
            {
                return new BlobProperties(destination, head.ContentLength, ToOurs(head.ETag, destination), head.LastModified, head.ContentType, ReadMetadata(head.Metadata));
            }

            if (head.BlobCopyStatus != CopyStatus.Pending)
            {
                throw new BlobStoreException(BlobErrorCode.Unknown, $"Copying '{source}' to '{destination}' ended as '{head.BlobCopyStatus}': {head.CopyStatusDescription}", destination.Value);
            }

            AzureLog.CopyPending(_settings.Logger, destination.Value, delay);
            await Task.Delay(delay, _settings.TimeProvider, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 2000));
        }
    }

    private async Task<BlobDownload> GetAsync(RangedGetRequest read, CancellationToken cancellationToken)
    {
        var key = read.Key;
        var range = read.Range.IsAll ? default : new HttpRange(read.Range.Offset!.Value, read.Range.Length);
        Response<BlobDownloadStreamingResult> response;
        try
        {
            response = await Blob(key).DownloadStreamingAsync(new BlobDownloadOptions
            {
                Range = range,
                Conditions = read.IfMatch is { } e ? new AzureConditions { IfMatch = new AzureETag(e.Value) } : null,
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (AzureErrors.IsTranslatable(ex, cancellationToken))
        {
            if (AzureErrors.Is(ex, System.Net.HttpStatusCode.RequestedRangeNotSatisfiable))
            {
                var head = await HeadAsync(key, cancellationToken).ConfigureAwait(false);
                throw new RangeNotSatisfiableException(key.Value, read.Requested, head.Length);
            }

            throw AzureErrors.Map(ex, "Reading", key.Value);
        }

        var result = response.Value;
        try
        {
            var details = result.Details;
            if (!read.Range.IsAll && details.ContentRange is null && response.GetRawResponse().Status == 206)
            {
                // Azurite answers a range starting at the blob's length with an empty 206 and no Content-Range (Azure: 416).
                var head = await HeadAsync(key, cancellationToken).ConfigureAwait(false);
                throw read.Range.TryResolve(head.Length, out _, out _)
                    ? new BlobStoreException(BlobErrorCode.Unknown, $"The server answered the range {read.Requested} of blob '{key}' with a 206 that has no Content-Range.", key.Value)
                    : new RangeNotSatisfiableException(key.Value, read.Requested, head.Length);
            }

            var etag = ToOurs(details.ETag, key);
            var served = RangeResponse.Resolve(read, etag, details.ContentRange, details.ContentLength);
            var properties = new BlobProperties(key, served.BlobLength, etag, details.LastModified, details.ContentType, ReadMetadata(details.Metadata));
            return RangeResponse.CreateDownload(result.Content, result, properties, served);
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    private async Task StageBlockAsync(BlobKey key, string blockId, PartBody part, CancellationToken cancellationToken)
    {
        var body = part.Open();
        await using (body.ConfigureAwait(false))
        {
            try
            {
                await Blob(key).StageBlockAsync(AzureUpload.EncodeBlockId(blockId), body, options: null, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (AzureErrors.IsTranslatable(ex, cancellationToken))
            {
                throw AzureErrors.Map(ex, "Uploading a block", key.Value);
            }
        }
    }

    private async Task StageMarkerAsync(BlobKey key, string blockId, string operation, CancellationToken cancellationToken)
    {
        try
        {
            using var marker = new MemoryStream([0], writable: false);
            await Blob(key).StageBlockAsync(AzureUpload.EncodeBlockId(blockId), marker, options: null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (AzureErrors.IsTranslatable(ex, cancellationToken))
        {
            throw AzureErrors.Map(ex, operation, key.Value);
        }
    }

    private async Task<BlobProperties> PutBlobAsync(BlobKey key, PartBody content, PutBlobOptions? options, CancellationToken cancellationToken)
    {
        var metadata = options?.Metadata is null ? null : BlobStoreValidation.NormalizeMetadata(options.Metadata);
        var body = content.Open();
        await using (body.ConfigureAwait(false))
        {
            try
            {
                var info = (await Blob(key).UploadAsync(body, new BlobUploadOptions
                {
                    HttpHeaders = options?.ContentType is { } type ? new BlobHttpHeaders { ContentType = type } : null,
                    Metadata = WriteMetadata(metadata),
                    Conditions = ToAzure(options?.Conditions),
                }, cancellationToken).ConfigureAwait(false)).Value;
                return new BlobProperties(key, content.Length, ToOurs(info.ETag, key), info.LastModified, options?.ContentType, metadata);
            }
            catch (Exception ex) when (AzureErrors.IsTranslatable(ex, cancellationToken))
            {
                throw WriteError(ex, "Writing", key, options?.Conditions);
            }
        }
    }

    private async Task<BlobProperties> CommitAsync(BlobKey key, List<string> blockIds, long length, string? contentType, Dictionary<string, string>? metadata, BlobRequestConditions? conditions, CancellationToken cancellationToken)
    {
        var encoded = new List<string>(blockIds.Count);
        foreach (var id in blockIds)
        {
            encoded.Add(AzureUpload.EncodeBlockId(id));
        }

        try
        {
            var info = (await Blob(key).CommitBlockListAsync(encoded, new CommitBlockListOptions
            {
                HttpHeaders = contentType is null ? null : new BlobHttpHeaders { ContentType = contentType },
                Metadata = WriteMetadata(metadata),
                Conditions = ToAzure(conditions),
            }, cancellationToken).ConfigureAwait(false)).Value;
            return new BlobProperties(key, length, ToOurs(info.ETag, key), info.LastModified, contentType, metadata);
        }
        catch (Exception ex) when (AzureErrors.IsTranslatable(ex, cancellationToken))
        {
            throw WriteError(ex, "Committing the blocks", key, conditions);
        }
    }

    /// <summary>The uncommitted blocks of a blob (ids decoded to text), or <see langword="null"/> when the blob has no blocks at all.</summary>
    private async Task<List<(string Id, long Size)>?> UncommittedBlocksAsync(BlobKey key, CancellationToken cancellationToken)
    {
        BlockList list;
        try
        {
            list = (await Blob(key).GetBlockListAsync(BlockListTypes.Uncommitted, snapshot: null, conditions: null, cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (Exception ex) when (AzureErrors.IsTranslatable(ex, cancellationToken))
        {
            return AzureErrors.IsBlobMissing(ex) ? null : throw AzureErrors.Map(ex, "Listing the uncommitted blocks", key.Value);
        }

        var blocks = new List<(string Id, long Size)>();
        foreach (var block in list.UncommittedBlocks ?? [])
        {
            if (AzureUpload.DecodeBlockId(block.Name) is { } id)
            {
                blocks.Add((id, block.SizeLong));
            }
        }

        return blocks;
    }

    private async Task<SortedDictionary<int, (string Id, long Size)>> FindLiveAsync(MultipartUpload upload, AzureUpload state, CancellationToken cancellationToken)
    {
        var blocks = await UncommittedBlocksAsync(upload.Key, cancellationToken).ConfigureAwait(false) ?? throw ProviderErrors.UploadNotFound(upload);
        var (live, parts) = state.Find(blocks);
        return live ? parts : throw ProviderErrors.UploadNotFound(upload);
    }

    private static AzureUpload Decode(MultipartUpload upload) =>
        AzureUpload.TryDecode(upload.UploadId, out var state) ? state : throw ProviderErrors.UploadNotFound(upload);

    private static BlobStoreException WriteError(Exception ex, string operation, BlobKey key, BlobRequestConditions? conditions)
    {
        var mapped = AzureErrors.Map(ex, operation, key.Value);
        return mapped is BlobConditionFailedException ? ProviderErrors.ConditionFailed(key, conditions, ex) : mapped;
    }

    private static AzureConditions? ToAzure(BlobRequestConditions? conditions) => conditions switch
    {
        { IfMatch: { } e } => new AzureConditions { IfMatch = new AzureETag(e.Value) },
        { IfNoneMatchAny: true } => new AzureConditions { IfNoneMatch = AzureETag.All },
        _ => null,
    };

    /// <summary>The ETag in its header form (quoted), the same whether the SDK read it from a header or a listing.</summary>
    private static ETag ToOurs(AzureETag etag, BlobKey key) =>
        etag.ToString("H") is { Length: > 0 } value
            ? new ETag(value)
            : throw new BlobStoreException(BlobErrorCode.Unknown, $"The Azure Blob response for '{key}' has no ETag.", key.Value);

    /// <summary>Azure metadata names are C# identifiers (no '-'); contract names never hold '_', so '-' travels as '_'.</summary>
    private static Dictionary<string, string>? WriteMetadata(Dictionary<string, string>? metadata)
    {
        if (metadata is null)
        {
            return null;
        }

        var result = new Dictionary<string, string>(metadata.Count, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in metadata)
        {
            result[name.Replace('-', '_')] = value;
        }

        return result;
    }

    private static Dictionary<string, string> ReadMetadata(IDictionary<string, string>? metadata)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (metadata is not null)
        {
            foreach (var (name, value) in metadata)
            {
                result[name.ToLowerInvariant().Replace('_', '-')] = value;
            }
        }

        return result;
    }

    private static List<BlobItem> Items(IReadOnlyList<AzureBlobItem> blobs)
    {
        var items = new List<BlobItem>(blobs.Count);
        foreach (var blob in blobs)
        {
            // Blobs written by other tools may have names no BlobKey can hold; they are not this store's blobs.
            if (blob.Name is not null && BlobKey.TryParse(blob.Name, out var key, out _) && blob.Properties.ETag is { } etag)
            {
                items.Add(new BlobItem(key, blob.Properties.ContentLength ?? 0, ToOurs(etag, key), blob.Properties.LastModified ?? DateTimeOffset.UnixEpoch));
            }
        }

        // The service lists in UTF-8 byte order; the sort only confirms a page is (an emulator may differ).
        items.Sort(static (a, b) => a.Key.CompareTo(b.Key));
        return items;
    }

    /// <summary>OpenReadAsync's HEAD and GET.</summary>
    private sealed class ReadTarget(AzureBlobStore store) : IRangedReadTarget
    {
        public Task<BlobProperties> GetPropertiesAsync(BlobKey key, CancellationToken cancellationToken) => store.HeadAsync(key, cancellationToken);

        public Task<BlobDownload> GetAsync(RangedGetRequest request, CancellationToken cancellationToken) => store.GetAsync(request, cancellationToken);
    }

    /// <summary>PutAsync's chunks: one Put Blob, or blocks in parallel and a Commit Block List.</summary>
    private sealed class PutTarget(AzureBlobStore store, BlobKey key, PutBlobOptions? options) : IChunkedUploadTarget<AzureUpload, (string Id, long Length), BlobProperties>
    {
        public Task<BlobProperties> PutSingleAsync(PartBody content, CancellationToken cancellationToken) =>
            store.PutBlobAsync(key, content, options, cancellationToken);

        public Task<AzureUpload> BeginAsync(CancellationToken cancellationToken) => Task.FromResult(AzureUpload.New(options));

        public async Task<(string Id, long Length)> PutPartAsync(AzureUpload session, int partNumber, PartBody content, CancellationToken cancellationToken)
        {
            string id = session.BlockId(AzureUpload.PartKind(partNumber), store._settings.TimeProvider);
            await store.StageBlockAsync(key, id, content, cancellationToken).ConfigureAwait(false);
            return (id, content.Length);
        }

        public Task<BlobProperties> CompleteAsync(AzureUpload session, IReadOnlyList<(string Id, long Length)> parts, CancellationToken cancellationToken)
        {
            var ids = new List<string>(parts.Count);
            long length = 0;
            foreach (var (id, partLength) in parts)
            {
                ids.Add(id);
                length += partLength;
            }

            return store.CommitAsync(key, ids, length, session.ContentType, session.Metadata, options?.Conditions, cancellationToken);
        }

        // Uncommitted blocks cannot be deleted; the service drops them within a week, or at the blob's next commit.
        public Task AbortAsync(AzureUpload session, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
