using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using MusicLocker.Storage.Azure.Internal;
using MusicLocker.Storage.Providers;

namespace MusicLocker.Storage.Azure;

/// <summary>
/// An <see cref="IBlobStore"/> over one container of Azure Blob Storage (block blobs), speaking the REST protocol
/// (<c>x-ms-version</c> 2025-01-05) over <see cref="HttpClient"/>, with Shared Key, SAS or bearer-token authorization and
/// retries of transient failures. Every failure is a <see cref="BlobStoreException"/>.
/// </summary>
/// <remarks>
/// <para>Writes from a stream go up as one Put Blob when they fit in <see cref="AzureBlobStoreOptions.BlockSize"/>, else as
/// blocks in parallel and one Put Block List, so the stream is read once and never held whole. Conditions become
/// <c>If-None-Match: *</c> / <c>If-Match</c> on Put Blob, Put Block List, Copy Blob and Delete Blob.</para>
/// <para>A multipart upload is a set of uncommitted blocks whose ids name the upload (Azure has no upload object), so
/// <see cref="ListPartsAsync"/> works from any process. Committing or replacing the blob by any other writer discards
/// them: the upload is then gone (<see cref="BlobErrorCode.UploadNotFound"/>). Aborting marks the upload with a block
/// (Azure cannot delete uncommitted blocks); the service drops them within a week.</para>
/// </remarks>
public sealed class AzureBlobStore : IBlobStore, IDisposable
{
    private static readonly byte[] MarkerBlock = [0];
    private readonly AzureBlobStoreOptions _options;
    private readonly AzurePipeline _pipeline;
    private readonly ReadTarget _reads;

    /// <summary>Creates a store over the container the options name.</summary>
    public AzureBlobStore(AzureBlobStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _pipeline = new AzurePipeline(options);
        _reads = new ReadTarget(this);
    }

    /// <summary>The container's URL.</summary>
    public Uri ContainerUri => _pipeline.ContainerUri;

    /// <summary>Creates the container when it does not exist (for an app's first start; needs account-level rights).</summary>
    /// <returns><see langword="true"/> when it was created, <see langword="false"/> when it existed.</returns>
    public async Task<bool> CreateContainerIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        using var response = await _pipeline.SendAsync(HttpMethod.Put, new Uri(_pipeline.ContainerUri + "?restype=container"), null, null, HttpCompletionOption.ResponseContentRead, _options.ContainerName, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return true;
        }

        if (response.StatusCode == HttpStatusCode.Conflict && AzureErrors.Code(response) == "ContainerAlreadyExists")
        {
            return false;
        }

        throw await AzureErrors.MapAsync(response, "Creating the container", _options.ContainerName, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<BlobProperties> GetPropertiesAsync(BlobKey key, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Key(key);
        using var response = await SendAsync(HttpMethod.Head, _pipeline.BlobUri(key), null, null, key, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await AzureErrors.MapAsync(response, "Reading the properties", key.Value, cancellationToken).ConfigureAwait(false);
        }

        return Properties(key, response, response.Content.Headers.ContentLength ?? 0);
    }

    /// <inheritdoc />
    public Task<BlobDownload> OpenReadAsync(BlobKey key, ReadBlobOptions? options = null, CancellationToken cancellationToken = default) =>
        RangedRead.OpenAsync(key, options, _reads, cancellationToken);

    /// <inheritdoc />
    public Task<BlobProperties> PutAsync(BlobKey key, Stream content, PutBlobOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        BlobStoreValidation.Options(key, options);
        return ChunkedUpload.RunAsync(content, _options.BlockSize, _options.MaxConcurrency, new PutTarget(this, key, options), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<BlobProperties> CopyAsync(BlobKey source, BlobKey destination, BlobRequestConditions? destinationConditions = null, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Key(source, nameof(source));
        BlobStoreValidation.Key(destination, nameof(destination));
        BlobStoreValidation.RequestConditions(destinationConditions);
        string copySource = _pipeline.Authorize(_pipeline.BlobUri(source)).AbsoluteUri;
        using (var response = await SendAsync(HttpMethod.Put, _pipeline.BlobUri(destination), r =>
        {
            r.Headers.TryAddWithoutValidation("x-ms-copy-source", copySource);
            AddConditions(r, destinationConditions);
        }, null, destination, cancellationToken).ConfigureAwait(false))
        {
            if (!response.IsSuccessStatusCode)
            {
                if (response.StatusCode == HttpStatusCode.NotFound && AzureErrors.Code(response) != "ContainerNotFound")
                {
                    throw new BlobNotFoundException(source.Value, $"No blob has the key '{source}' (the source of a copy to '{destination}').");
                }

                throw await WriteErrorAsync(response, "Copying to", destination, destinationConditions, cancellationToken).ConfigureAwait(false);
            }
        }

        // Within one account a copy usually completes before the answer; when it is pending, wait for it.
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            using var head = await SendAsync(HttpMethod.Head, _pipeline.BlobUri(destination), null, null, destination, cancellationToken).ConfigureAwait(false);
            if (!head.IsSuccessStatusCode)
            {
                throw await AzureErrors.MapAsync(head, "Reading the copy", destination.Value, cancellationToken).ConfigureAwait(false);
            }

            string status = Header(head, "x-ms-copy-status") ?? "success";
            if (status == "success")
            {
                return Properties(destination, head, head.Content.Headers.ContentLength ?? 0);
            }

            if (status != "pending")
            {
                throw new BlobStoreException(BlobErrorCode.Unknown, $"Copying '{source}' to '{destination}' ended as '{status}': {Header(head, "x-ms-copy-status-description")}", destination.Value);
            }

            await Task.Delay(delay, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 2000));
        }
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(BlobKey key, BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Key(key);
        BlobStoreValidation.RequestConditions(conditions);
        using var response = await SendAsync(HttpMethod.Delete, _pipeline.BlobUri(key), r =>
        {
            if (conditions?.IfMatch is { } e)
            {
                r.Headers.TryAddWithoutValidation("If-Match", e.Value);
            }
        }, null, key, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return true;
        }

        if (response.StatusCode == HttpStatusCode.NotFound && AzureErrors.Code(response) != "ContainerNotFound")
        {
            return conditions?.IfMatch is { } wanted
                ? throw new BlobConditionFailedException(key.Value, $"The blob '{key}' does not exist; the condition asked for version {wanted}.")
                : false;
        }

        throw await WriteErrorAsync(response, "Deleting", key, conditions, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<BlobItem> ListAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        string? marker = null;
        do
        {
            string query = string.Create(CultureInfo.InvariantCulture, $"restype=container&comp=list&maxresults={_options.ListPageSize}")
                + (prefix.Length == 0 ? string.Empty : "&prefix=" + Uri.EscapeDataString(prefix))
                + (marker is null ? string.Empty : "&marker=" + Uri.EscapeDataString(marker));
            var uri = new Uri(_pipeline.ContainerUri + "?" + query);
            List<AzureXml.ListedBlob> blobs;
            using (var response = await _pipeline.SendAsync(HttpMethod.Get, uri, null, null, HttpCompletionOption.ResponseHeadersRead, prefix, cancellationToken).ConfigureAwait(false))
            {
                if (!response.IsSuccessStatusCode)
                {
                    throw await AzureErrors.MapAsync(response, "Listing prefix", prefix, cancellationToken).ConfigureAwait(false);
                }

                var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                (blobs, marker) = await AzureXml.ReadBlobListAsync(body, cancellationToken).ConfigureAwait(false);
            }

            var items = new List<BlobItem>(blobs.Count);
            foreach (var blob in blobs)
            {
                // Blobs written by other tools may have names no BlobKey can hold; they are not this store's blobs.
                if (blob.Name is not null && BlobKey.TryParse(blob.Name, out var key, out _))
                {
                    items.Add(new BlobItem(key, blob.Length, new ETag(blob.ETag), blob.LastModified));
                }
            }

            // The service lists in UTF-8 byte order; the sort only confirms a page is (an emulator may differ).
            items.Sort(static (a, b) => a.Key.CompareTo(b.Key));
            foreach (var item in items)
            {
                yield return item;
            }
        }
        while (marker is not null);
    }

    /// <inheritdoc />
    public async Task<MultipartUpload> StartMultipartUploadAsync(BlobKey key, PutBlobOptions? options = null, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Options(key, options);
        var upload = AzureUpload.New(options);
        await PutBlockAsync(key, upload.BlockId(AzureUpload.StartKind, _options.TimeProvider), () => new ByteArrayContent(MarkerBlock), cancellationToken).ConfigureAwait(false);
        return new MultipartUpload(key, upload.Encode());
    }

    /// <inheritdoc />
    public async Task<UploadedPart> UploadPartAsync(MultipartUpload upload, int partNumber, Stream content, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Upload(upload);
        BlobStoreValidation.PartNumber(partNumber);
        ArgumentNullException.ThrowIfNull(content);
        var state = Decode(upload);
        _ = await FindLiveAsync(upload, state, cancellationToken).ConfigureAwait(false);

        // Each try opens the body again (HttpClient disposes what it sent; the caller's stream stays open); a stream that
        // cannot seek is spooled to a temp file first.
        var part = await PartBody.FromStreamAsync(content, cancellationToken).ConfigureAwait(false);
        try
        {
            string blockId = state.BlockId(AzureUpload.PartKind(partNumber), _options.TimeProvider);
            await PutBlockAsync(upload.Key, blockId, () => Content(part), cancellationToken).ConfigureAwait(false);
            return new UploadedPart(partNumber, new ETag(blockId), part.Length);
        }
        finally
        {
            part.Release();
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<UploadedPart>> ListPartsAsync(MultipartUpload upload, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Upload(upload);
        var parts = await FindLiveAsync(upload, Decode(upload), cancellationToken).ConfigureAwait(false);
        var result = new List<UploadedPart>(parts.Count);
        foreach (var (number, (id, size)) in parts)
        {
            result.Add(new UploadedPart(number, new ETag(id), size));
        }

        return result;
    }

    /// <inheritdoc />
    public async Task<BlobProperties> CompleteMultipartUploadAsync(MultipartUpload upload, IReadOnlyList<UploadedPart> parts, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Upload(upload);
        BlobStoreValidation.CompletionParts(upload, parts);
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

        return await PutBlockListAsync(upload.Key, ids, length, state.ContentType, state.Metadata, state.Conditions, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task AbortMultipartUploadAsync(MultipartUpload upload, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Upload(upload);
        if (!AzureUpload.TryDecode(upload.UploadId, out var state))
        {
            return;
        }

        var blocks = await GetUncommittedBlocksAsync(upload.Key, cancellationToken).ConfigureAwait(false);
        if (blocks is null || !state.Find(blocks).Live)
        {
            return; // completed, aborted or swept already
        }

        await PutBlockAsync(upload.Key, state.BlockId(AzureUpload.AbortKind, _options.TimeProvider), () => new ByteArrayContent(MarkerBlock), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Dispose() => _pipeline.Dispose();

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri uri, Action<HttpRequestMessage>? prepare, Func<HttpContent>? content, BlobKey key, CancellationToken cancellationToken) =>
        _pipeline.SendAsync(method, uri, prepare, content, HttpCompletionOption.ResponseContentRead, key.Value, cancellationToken);

    private async Task<BlobDownload> GetAsync(RangedGetRequest read, CancellationToken cancellationToken)
    {
        var key = read.Key;
        string? rangeHeader = read.RangeHeader;
        var response = await _pipeline.SendAsync(HttpMethod.Get, _pipeline.BlobUri(key), r =>
        {
            if (rangeHeader is not null)
            {
                r.Headers.TryAddWithoutValidation("x-ms-range", rangeHeader);
            }

            if (read.IfMatch is { } e)
            {
                r.Headers.TryAddWithoutValidation("If-Match", e.Value);
            }
        }, null, HttpCompletionOption.ResponseHeadersRead, key.Value, cancellationToken).ConfigureAwait(false);
        try
        {
            if (!response.IsSuccessStatusCode)
            {
                if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
                {
                    var head = await GetPropertiesAsync(key, cancellationToken).ConfigureAwait(false);
                    throw new RangeNotSatisfiableException(key.Value, read.Requested, head.Length);
                }

                throw await AzureErrors.MapAsync(response, "Reading", key.Value, cancellationToken).ConfigureAwait(false);
            }

            var headers = response.Content.Headers;
            if (rangeHeader is not null && headers.ContentRange is null && response.StatusCode == HttpStatusCode.PartialContent)
            {
                // Azurite answers a range starting at the blob's length with an empty 206 and no Content-Range (Azure: 416).
                var head = await GetPropertiesAsync(key, cancellationToken).ConfigureAwait(false);
                throw read.Range.TryResolve(head.Length, out _, out _)
                    ? new BlobStoreException(BlobErrorCode.Unknown, $"The server answered the range {read.Requested} of blob '{key}' with a 206 that has no Content-Range.", key.Value)
                    : new RangeNotSatisfiableException(key.Value, read.Requested, head.Length);
            }

            var served = RangeResponse.Resolve(read, ETagOf(response, key), headers.ContentRange?.ToString(), headers.ContentLength ?? 0);
            var properties = Properties(key, response, served.BlobLength);
            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return RangeResponse.CreateDownload(body, response, properties, served);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private async Task PutBlockAsync(BlobKey key, string blockId, Func<HttpContent> content, CancellationToken cancellationToken)
    {
        var uri = _pipeline.BlobUri(key, "comp=block&blockid=" + Uri.EscapeDataString(AzureXml.EncodeBlockId(blockId)));
        using var response = await SendAsync(HttpMethod.Put, uri, null, content, key, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await AzureErrors.MapAsync(response, "Uploading a block", key.Value, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<BlobProperties> PutBlobAsync(BlobKey key, PartBody content, PutBlobOptions? options, CancellationToken cancellationToken)
    {
        var metadata = options?.Metadata is null ? null : BlobStoreValidation.NormalizeMetadata(options.Metadata);
        using var response = await SendAsync(HttpMethod.Put, _pipeline.BlobUri(key), r =>
        {
            r.Headers.TryAddWithoutValidation("x-ms-blob-type", "BlockBlob");
            AddBlobHeaders(r, options?.ContentType, metadata);
            AddConditions(r, options?.Conditions);
        }, () => Content(content), key, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await WriteErrorAsync(response, "Writing", key, options?.Conditions, cancellationToken).ConfigureAwait(false);
        }

        return Written(key, response, content.Length, options?.ContentType, metadata);
    }

    private async Task<BlobProperties> PutBlockListAsync(BlobKey key, List<string> blockIds, long length, string? contentType, Dictionary<string, string>? metadata, BlobRequestConditions? conditions, CancellationToken cancellationToken)
    {
        byte[] body = AzureXml.BlockList(blockIds);
        using var response = await SendAsync(HttpMethod.Put, _pipeline.BlobUri(key, "comp=blocklist"), r =>
        {
            AddBlobHeaders(r, contentType, metadata);
            AddConditions(r, conditions);
        }, () => new ByteArrayContent(body), key, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await WriteErrorAsync(response, "Committing the blocks", key, conditions, cancellationToken).ConfigureAwait(false);
        }

        return Written(key, response, length, contentType, metadata);
    }

    /// <summary>The uncommitted blocks of a blob, or <see langword="null"/> when the blob has no blocks at all.</summary>
    private async Task<List<(string Id, long Size)>?> GetUncommittedBlocksAsync(BlobKey key, CancellationToken cancellationToken)
    {
        using var response = await _pipeline.SendAsync(HttpMethod.Get, _pipeline.BlobUri(key, "comp=blocklist&blocklisttype=uncommitted"), null, null, HttpCompletionOption.ResponseHeadersRead, key.Value, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound && AzureErrors.Code(response) != "ContainerNotFound")
        {
            return null;
        }

        if (!response.IsSuccessStatusCode)
        {
            throw await AzureErrors.MapAsync(response, "Listing the uncommitted blocks", key.Value, cancellationToken).ConfigureAwait(false);
        }

        var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        return await AzureXml.ReadUncommittedBlocksAsync(body, cancellationToken).ConfigureAwait(false);
    }

    private async Task<SortedDictionary<int, (string Id, long Size)>> FindLiveAsync(MultipartUpload upload, AzureUpload state, CancellationToken cancellationToken)
    {
        var blocks = await GetUncommittedBlocksAsync(upload.Key, cancellationToken).ConfigureAwait(false);
        if (blocks is null)
        {
            throw ProviderErrors.UploadNotFound(upload);
        }

        var (live, parts) = state.Find(blocks);
        return live ? parts : throw ProviderErrors.UploadNotFound(upload);
    }

    private static AzureUpload Decode(MultipartUpload upload) =>
        AzureUpload.TryDecode(upload.UploadId, out var state) ? state : throw ProviderErrors.UploadNotFound(upload);

    private static async Task<BlobStoreException> WriteErrorAsync(HttpResponseMessage response, string operation, BlobKey key, BlobRequestConditions? conditions, CancellationToken cancellationToken)
    {
        var mapped = await AzureErrors.MapAsync(response, operation, key.Value, cancellationToken).ConfigureAwait(false);
        return mapped is BlobConditionFailedException ? ProviderErrors.ConditionFailed(key, conditions, mapped) : mapped;
    }

    /// <summary>A request body over a part, opened afresh for each try.</summary>
    private static StreamContent Content(PartBody body)
    {
        var content = new StreamContent(body.Open());
        content.Headers.ContentLength = body.Length;
        return content;
    }

    private static void AddConditions(HttpRequestMessage request, BlobRequestConditions? conditions)
    {
        if (conditions?.IfMatch is { } e)
        {
            request.Headers.TryAddWithoutValidation("If-Match", e.Value);
        }
        else if (conditions?.IfNoneMatchAny == true)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", "*");
        }
    }

    private static void AddBlobHeaders(HttpRequestMessage request, string? contentType, Dictionary<string, string>? metadata)
    {
        if (contentType is not null)
        {
            request.Headers.TryAddWithoutValidation("x-ms-blob-content-type", contentType);
        }

        if (metadata is not null)
        {
            foreach (var (name, value) in metadata)
            {
                // Azure metadata names are C# identifiers: no '-'. Contract names never hold '_', so '-' travels as '_'.
                request.Headers.TryAddWithoutValidation("x-ms-meta-" + name.Replace('-', '_'), value);
            }
        }
    }

    private static BlobProperties Written(BlobKey key, HttpResponseMessage response, long length, string? contentType, Dictionary<string, string>? metadata) =>
        new(key, length, ETagOf(response, key), response.Content.Headers.LastModified ?? LastModifiedHeader(response), contentType, metadata);

    private static BlobProperties Properties(BlobKey key, HttpResponseMessage response, long length)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        const string Prefix = "x-ms-meta-";
        foreach (var header in response.Headers)
        {
            if (header.Key.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            {
                metadata[header.Key[Prefix.Length..].ToLowerInvariant().Replace('_', '-')] = string.Join(',', header.Value);
            }
        }

        return new BlobProperties(key, length, ETagOf(response, key), response.Content.Headers.LastModified ?? LastModifiedHeader(response), response.Content.Headers.ContentType?.ToString(), metadata);
    }

    private static ETag ETagOf(HttpResponseMessage response, BlobKey key) =>
        response.Headers.ETag?.ToString() is { Length: > 0 } etag
            ? new ETag(etag)
            : throw new BlobStoreException(BlobErrorCode.Unknown, $"The Azure Blob response for '{key}' has no ETag.", key.Value);

    private static DateTimeOffset LastModifiedHeader(HttpResponseMessage response) =>
        Header(response, "Last-Modified") is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
            ? value
            : DateTimeOffset.UnixEpoch;

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? values.FirstOrDefault() : null;

    /// <summary>OpenReadAsync's HEAD and GET.</summary>
    private sealed class ReadTarget(AzureBlobStore store) : IRangedReadTarget
    {
        public Task<BlobProperties> GetPropertiesAsync(BlobKey key, CancellationToken cancellationToken) => store.GetPropertiesAsync(key, cancellationToken);

        public Task<BlobDownload> GetAsync(RangedGetRequest request, CancellationToken cancellationToken) => store.GetAsync(request, cancellationToken);
    }

    /// <summary>PutAsync's chunks: one Put Blob, or blocks in parallel and a Put Block List.</summary>
    private sealed class PutTarget(AzureBlobStore store, BlobKey key, PutBlobOptions? options) : IChunkedUploadTarget<AzureUpload, (string Id, long Length), BlobProperties>
    {
        public Task<BlobProperties> PutSingleAsync(PartBody content, CancellationToken cancellationToken) =>
            store.PutBlobAsync(key, content, options, cancellationToken);

        public Task<AzureUpload> BeginAsync(CancellationToken cancellationToken) => Task.FromResult(AzureUpload.New(options));

        public async Task<(string Id, long Length)> PutPartAsync(AzureUpload session, int partNumber, PartBody content, CancellationToken cancellationToken)
        {
            string id = session.BlockId(AzureUpload.PartKind(partNumber), store._options.TimeProvider);
            await store.PutBlockAsync(key, id, () => Content(content), cancellationToken).ConfigureAwait(false);
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

            return store.PutBlockListAsync(key, ids, length, session.ContentType, session.Metadata, options?.Conditions, cancellationToken);
        }

        // Uncommitted blocks cannot be deleted; the service drops them within a week, or at the blob's next commit.
        public Task AbortAsync(AzureUpload session, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
