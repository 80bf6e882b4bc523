using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using MusicLocker.Storage.Diagnostics;

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
    public InMemoryBlobStore(TimeProvider? timeProvider = null)
        : this(new InMemoryBlobStoreOptions { TimeProvider = timeProvider ?? TimeProvider.System })
    {
    }

    /// <summary>Creates an empty store with the given options (copied: later changes to them have no effect).</summary>
    public InMemoryBlobStore(InMemoryBlobStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = options.TimeProvider ?? throw new ArgumentNullException("options.TimeProvider");

        // The store logs nothing today (no sweeps, no damaged files); LoggerFactory is taken for one vocabulary across stores.
    }

    private const string Store = "inmemory";

    /// <inheritdoc />
    public Task<BlobProperties> GetPropertiesAsync(BlobKey key, CancellationToken cancellationToken = default) =>
        TracedCall.RunAsync(Store, "get_properties", key, _ =>
        {
            BlobStoreValidation.Key(key);
            cancellationToken.ThrowIfCancellationRequested();
            return Task.FromResult(Find(key).Properties);
        });

    /// <inheritdoc />
    public Task<BlobDownload> OpenReadAsync(BlobKey key, ReadBlobOptions? options = null, CancellationToken cancellationToken = default)
    {
        var range = options?.Range ?? ByteRange.All;
        var ifMatch = options?.IfMatch;
        return TracedCall.RunAsync(Store, "read", key, scope =>
        {
            BlobStoreValidation.Key(key);
            cancellationToken.ThrowIfCancellationRequested();
            var entry = Find(key);
            if (ifMatch is { } expected && expected != entry.Properties.ETag)
            {
                ThrowHelper.ThrowETagMismatch(key, expected, entry.Properties.ETag);
            }

            if (!range.TryResolve(entry.Data.Length, out long offset, out long length))
            {
                ThrowHelper.ThrowRangeNotSatisfiable(key, range, entry.Data.Length);
            }

            scope.SetRange(offset, length);
            scope.Activity?.SetTag("musiclocker.bytes", length);
            var content = new ChunkedReadStream(entry.Data, offset, length) { CountsReadsFor = Store };
            return Task.FromResult(new BlobDownload(content, entry.Properties, offset, length));
        });
    }

    /// <inheritdoc />
    public Task<BlobProperties> PutAsync(BlobKey key, Stream content, PutBlobOptions? options = null, CancellationToken cancellationToken = default) =>
        TracedCall.RunAsync(Store, "put", key, async scope =>
        {
            ArgumentNullException.ThrowIfNull(content);
            var put = PutSnapshot.Take(key, options);
            var data = await ChunkedBuffer.ReadAsync(content, cancellationToken).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            var properties = Publish(key, data, put);
            scope.SetBytes(properties.Length, written: true);
            return properties;
        });

    /// <inheritdoc />
    public Task<BlobProperties> CopyAsync(BlobKey source, BlobKey destination, BlobRequestConditions? destinationConditions = null, CancellationToken cancellationToken = default) =>
        TracedCall.RunAsync(Store, "copy", destination, scope =>
        {
            BlobStoreValidation.Key(source, nameof(source));
            BlobStoreValidation.Key(destination, nameof(destination));
            destinationConditions?.Validate();
            cancellationToken.ThrowIfCancellationRequested();
            scope.Activity?.SetTag("musiclocker.blob.source_key", source.Value);
            var entry = Find(source);
            var properties = Publish(destination, entry.Data, new PutSnapshot(entry.Properties.ContentType, entry.Properties.Metadata is { Count: > 0 } m ? new Dictionary<string, string>(m, StringComparer.Ordinal) : null, destinationConditions));
            scope.SetBytes(properties.Length, written: true);
            return Task.FromResult(properties);
        });

    /// <inheritdoc />
    public Task<bool> DeleteAsync(BlobKey key, BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default) =>
        TracedCall.RunAsync(Store, "delete", key, _ =>
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
        });

    /// <inheritdoc />
    public IAsyncEnumerable<BlobItem> ListAsync(string prefix = "", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        return TracedCall.ListAsync(Store, prefix, ListCoreAsync(prefix, cancellationToken), cancellationToken);
    }

    private async IAsyncEnumerable<BlobItem> ListCoreAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
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
    public Task<MultipartUpload> StartMultipartUploadAsync(BlobKey key, PutBlobOptions? options = null, CancellationToken cancellationToken = default) =>
        TracedCall.RunAsync(Store, "multipart.start", key, _ =>
        {
            var put = PutSnapshot.Take(key, options);
            cancellationToken.ThrowIfCancellationRequested();
            string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            lock (_gate)
            {
                _uploads.Add(id, new Upload(key, put));
            }

            return Task.FromResult(new MultipartUpload(key, id));
        });

    /// <inheritdoc />
    public Task<UploadedPart> UploadPartAsync(MultipartUpload upload, int partNumber, Stream content, CancellationToken cancellationToken = default) =>
        TracedCall.RunAsync(Store, "multipart.upload_part", upload?.Key ?? default, async scope =>
        {
            BlobStoreValidation.Upload(upload!);
            BlobStoreValidation.PartNumber(partNumber);
            ArgumentNullException.ThrowIfNull(content);
            _ = FindUpload(upload!);
            var data = await ChunkedBuffer.ReadAsync(content, cancellationToken).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            var part = new UploadedPart(partNumber, NewETag(), data.Length);
            lock (_gate)
            {
                FindUpload(upload!).Parts[partNumber] = (part, data);
            }

            scope.SetBytes(part.Length, written: true);
            return part;
        });

    /// <inheritdoc />
    public Task<IReadOnlyList<UploadedPart>> ListPartsAsync(MultipartUpload upload, CancellationToken cancellationToken = default) =>
        TracedCall.RunAsync(Store, "multipart.list_parts", upload?.Key ?? default, _ =>
        {
            BlobStoreValidation.Upload(upload!);
            cancellationToken.ThrowIfCancellationRequested();
            lock (_gate)
            {
                var parts = new List<UploadedPart>();
                foreach (var (part, _) in FindUpload(upload!).Parts.Values)
                {
                    parts.Add(part);
                }

                return Task.FromResult<IReadOnlyList<UploadedPart>>(parts);
            }
        });

    /// <inheritdoc />
    public Task<BlobProperties> CompleteMultipartUploadAsync(MultipartUpload upload, IReadOnlyList<UploadedPart> parts, CancellationToken cancellationToken = default) =>
        TracedCall.RunAsync(Store, "multipart.complete", upload?.Key ?? default, scope =>
        {
            var properties = Complete(upload!, parts, cancellationToken);
            scope.Activity?.SetTag("musiclocker.bytes", properties.Length); // counted as written by the parts
            return Task.FromResult(properties);
        });

    private BlobProperties Complete(MultipartUpload upload, IReadOnlyList<UploadedPart> parts, CancellationToken cancellationToken)
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

            var properties = Publish(upload.Key, ChunkedBuffer.Concat(buffers), state.Options);
            _uploads.Remove(upload.UploadId);
            return properties;
        }
    }

    /// <inheritdoc />
    public Task AbortMultipartUploadAsync(MultipartUpload upload, CancellationToken cancellationToken = default) =>
        TracedCall.RunAsync(Store, "multipart.abort", upload?.Key ?? default, _ =>
        {
            BlobStoreValidation.Upload(upload!);
            cancellationToken.ThrowIfCancellationRequested();
            lock (_gate)
            {
                if (_uploads.TryGetValue(upload!.UploadId, out var state) && state.Key == upload.Key)
                {
                    _uploads.Remove(upload.UploadId);
                }
            }

            return Task.CompletedTask;
        });

    private BlobProperties Publish(BlobKey key, ChunkedBuffer data, PutSnapshot put)
    {
        var properties = new BlobProperties(key, data.Length, NewETag(), _time.GetUtcNow(), put.ContentType, put.Metadata);
        var conditions = put.Conditions;
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

    private sealed class Upload(BlobKey key, PutSnapshot options)
    {
        public BlobKey Key { get; } = key;

        public PutSnapshot Options { get; } = options;

        public SortedDictionary<int, (UploadedPart Part, ChunkedBuffer Data)> Parts { get; } = [];
    }
}
