using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace MusicLocker.Storage.InMemory;

/// <summary>
/// A store held in process memory with the same semantics as every other provider (conditions, ranges, multipart,
/// listing order, errors). For tests and throwaway stores; its contents die with the instance.
/// </summary>
/// <remarks>
/// Blobs are kept as immutable chunks of at most 1 MiB; a copy, and the join of multipart parts, share chunks rather
/// than copying bytes. A put reads its stream to the end before taking the store's lock, so a slow or cancelled writer
/// never blocks others and never becomes visible.
/// </remarks>
public sealed class InMemoryBlobStore : IBlobStore
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, Entry> _blobs = new(Utf8Ordinal.Comparer);
    private readonly Dictionary<string, Upload> _uploads = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    /// <summary>Creates an empty store.</summary>
    public InMemoryBlobStore(TimeProvider? timeProvider = null) => _time = timeProvider ?? TimeProvider.System;

    /// <inheritdoc />
    public Task<BlobProperties> GetPropertiesAsync(BlobKey key, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Key(key);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Find(key).Properties);
    }

    /// <inheritdoc />
    public Task<BlobDownload> OpenReadAsync(BlobKey key, ReadBlobOptions? options = null, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Key(key);
        cancellationToken.ThrowIfCancellationRequested();
        var entry = Find(key);
        if (options?.IfMatch is { } expected && expected != entry.Properties.ETag)
        {
            ThrowHelper.ThrowETagMismatch(key, expected, entry.Properties.ETag);
        }

        var range = options?.Range ?? ByteRange.All;
        if (!range.TryResolve(entry.Data.Length, out long offset, out long length))
        {
            ThrowHelper.ThrowRangeNotSatisfiable(key, range, entry.Data.Length);
        }

        return Task.FromResult(new BlobDownload(new ChunkedReadStream(entry.Data, offset, length), entry.Properties, offset, length));
    }

    /// <inheritdoc />
    public async Task<BlobProperties> PutAsync(BlobKey key, Stream content, PutBlobOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        BlobStoreValidation.Options(key, options);
        var data = await ChunkedBuffer.ReadAsync(content, cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return Publish(key, data, options?.ContentType, options?.Metadata, options?.Conditions);
    }

    /// <inheritdoc />
    public Task<BlobProperties> CopyAsync(BlobKey source, BlobKey destination, BlobRequestConditions? destinationConditions = null, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Key(source, nameof(source));
        BlobStoreValidation.Key(destination, nameof(destination));
        destinationConditions?.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        var entry = Find(source);
        return Task.FromResult(Publish(destination, entry.Data, entry.Properties.ContentType, entry.Properties.Metadata, destinationConditions));
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(BlobKey key, BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Key(key);
        conditions?.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            bool exists = _blobs.TryGetValue(key.Value, out var entry);
            if (conditions?.IfMatch is not null)
            {
                BlobStoreValidation.Conditions(key, conditions, exists ? entry!.Properties.ETag : null);
            }

            return Task.FromResult(exists && _blobs.Remove(key.Value));
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<BlobItem> ListAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        List<BlobItem> items;
        lock (_gate)
        {
            items = [];
            foreach (var (name, entry) in _blobs)
            {
                if (name.StartsWith(prefix, StringComparison.Ordinal))
                {
                    var p = entry.Properties;
                    items.Add(new BlobItem(p.Key, p.Length, p.ETag, p.LastModified));
                }
            }
        }

        foreach (var item in items)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return item;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<MultipartUpload> StartMultipartUploadAsync(BlobKey key, PutBlobOptions? options = null, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Options(key, options);
        cancellationToken.ThrowIfCancellationRequested();
        string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        lock (_gate)
        {
            _uploads.Add(id, new Upload(key, options));
        }

        return Task.FromResult(new MultipartUpload(key, id));
    }

    /// <inheritdoc />
    public async Task<UploadedPart> UploadPartAsync(MultipartUpload upload, int partNumber, Stream content, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Upload(upload);
        BlobStoreValidation.PartNumber(partNumber);
        ArgumentNullException.ThrowIfNull(content);
        _ = FindUpload(upload);
        var data = await ChunkedBuffer.ReadAsync(content, cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        var part = new UploadedPart(partNumber, NewETag(), data.Length);
        lock (_gate)
        {
            FindUpload(upload).Parts[partNumber] = (part, data);
        }

        return part;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<UploadedPart>> ListPartsAsync(MultipartUpload upload, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Upload(upload);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var parts = new List<UploadedPart>();
            foreach (var (part, _) in FindUpload(upload).Parts.Values)
            {
                parts.Add(part);
            }

            return Task.FromResult<IReadOnlyList<UploadedPart>>(parts);
        }
    }

    /// <inheritdoc />
    public Task<BlobProperties> CompleteMultipartUploadAsync(MultipartUpload upload, IReadOnlyList<UploadedPart> parts, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Upload(upload);
        BlobStoreValidation.CompletionParts(upload, parts);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var state = FindUpload(upload);
            var buffers = new List<ChunkedBuffer>(parts.Count);
            foreach (var part in parts)
            {
                if (!state.Parts.TryGetValue(part.PartNumber, out var stored))
                {
                    ThrowHelper.ThrowInvalidPart(upload.Key, $"Part {part.PartNumber} of upload '{upload.UploadId}' was never stored.");
                }

                if (stored.Part.ETag != part.ETag)
                {
                    ThrowHelper.ThrowInvalidPart(upload.Key, $"Part {part.PartNumber} of upload '{upload.UploadId}' has ETag {stored.Part.ETag}, not {part.ETag}: it was uploaded again since.");
                }

                buffers.Add(stored.Data);
            }

            var properties = Publish(upload.Key, ChunkedBuffer.Concat(buffers), state.Options?.ContentType, state.Options?.Metadata, state.Options?.Conditions);
            _uploads.Remove(upload.UploadId);
            return Task.FromResult(properties);
        }
    }

    /// <inheritdoc />
    public Task AbortMultipartUploadAsync(MultipartUpload upload, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Upload(upload);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_uploads.TryGetValue(upload.UploadId, out var state) && state.Key == upload.Key)
            {
                _uploads.Remove(upload.UploadId);
            }
        }

        return Task.CompletedTask;
    }

    private BlobProperties Publish(BlobKey key, ChunkedBuffer data, string? contentType, IReadOnlyDictionary<string, string>? metadata, BlobRequestConditions? conditions)
    {
        var properties = new BlobProperties(key, data.Length, NewETag(), _time.GetUtcNow(), contentType, metadata is null || metadata.Count == 0 ? null : BlobStoreValidation.NormalizeMetadata(metadata));
        lock (_gate)
        {
            if (conditions is not null)
            {
                BlobStoreValidation.Conditions(key, conditions, _blobs.TryGetValue(key.Value, out var current) ? current.Properties.ETag : null);
            }

            _blobs[key.Value] = new Entry(data, properties);
        }

        return properties;
    }

    private Entry Find(BlobKey key)
    {
        lock (_gate)
        {
            if (_blobs.TryGetValue(key.Value, out var entry))
            {
                return entry;
            }
        }

        ThrowHelper.ThrowNotFound(key);
        return null!;
    }

    /// <summary>Callers that mutate the upload hold <see cref="_gate"/>; the lock is re-entrant.</summary>
    private Upload FindUpload(MultipartUpload upload)
    {
        lock (_gate)
        {
            if (_uploads.TryGetValue(upload.UploadId, out var state) && state.Key == upload.Key)
            {
                return state;
            }
        }

        ThrowHelper.ThrowUploadNotFound(upload);
        return null!;
    }

    private static ETag NewETag() => new("\"" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)) + "\"");

    private sealed record Entry(ChunkedBuffer Data, BlobProperties Properties);

    private sealed class Upload(BlobKey key, PutBlobOptions? options)
    {
        public BlobKey Key { get; } = key;

        public PutBlobOptions? Options { get; } = options;

        public SortedDictionary<int, (UploadedPart Part, ChunkedBuffer Data)> Parts { get; } = [];
    }
}
