using System.Buffers;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace MusicLocker.Storage.FileSystem;

/// <summary>
/// The embedded default store: blobs as files under one folder.
/// </summary>
/// <remarks>
/// <para>Writes go to a temp file in the blob's own folder, are flushed to disk, and are published by one rename, so a reader
/// never sees a partial blob, even if the process is killed mid-write. Each file starts with a small header that holds the
/// blob's ETag, time, content type and metadata (see <c>docs/architecture.md</c>), so ETags are stable across restarts.</para>
/// <para>Conditional writes check and publish under a per-key lock that holds across processes (OS file locks), so two
/// processes over one folder are as safe as two threads. Multipart parts are kept on disk under <c>uploads/</c> until the
/// upload completes or aborts; <see cref="SweepAsync"/> removes temp files and uploads older than
/// <see cref="FileSystemBlobStoreOptions.StaleAge"/>.</para>
/// <para>Keys are case-sensitive; on a case-insensitive file system two keys differing only by case collide. A segment may
/// be at most 250 UTF-8 bytes (the file-name limit).</para>
/// </remarks>
public sealed class FileSystemBlobStore : IBlobStore, IDisposable
{
    private const int CopyBufferSize = 256 * 1024;
    private readonly FileSystemBlobStoreOptions _options;
    private readonly string _blobs;
    private readonly string _uploads;
    private readonly StripedFileLock _locks;

    /// <summary>Opens (and creates when missing) a store in <paramref name="rootPath"/>.</summary>
    public FileSystemBlobStore(string rootPath)
        : this(new FileSystemBlobStoreOptions { RootPath = rootPath })
    {
    }

    /// <summary>Opens (and creates when missing) a store with the given options.</summary>
    public FileSystemBlobStore(FileSystemBlobStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        RootPath = Path.GetFullPath(options.RootPath);
        _blobs = Path.Combine(RootPath, "blobs");
        _uploads = Path.Combine(RootPath, "uploads");
        Directory.CreateDirectory(_blobs);
        Directory.CreateDirectory(_uploads);
        _locks = new StripedFileLock(Path.Combine(RootPath, "locks"), options.LockTimeout);
    }

    /// <summary>The full path of the store's folder.</summary>
    public string RootPath { get; }

    /// <inheritdoc />
    public async Task<BlobProperties> GetPropertiesAsync(BlobKey key, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Key(key);
        string path = FileSystemPaths.BlobPath(_blobs, key);
        using var handle = OpenForRead(path, key);
        var header = await BlobFileHeader.ReadAsync(handle, path, cancellationToken).ConfigureAwait(false);
        return header.ToProperties(key, RandomAccess.GetLength(handle));
    }

    /// <inheritdoc />
    public async Task<BlobDownload> OpenReadAsync(BlobKey key, ReadBlobOptions? options = null, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Key(key);
        string path = FileSystemPaths.BlobPath(_blobs, key);

        // The handle pins this version: a later rename publishes a new file and leaves this one readable until closed.
        var handle = OpenForRead(path, key);
        try
        {
            var header = await BlobFileHeader.ReadAsync(handle, path, cancellationToken).ConfigureAwait(false);
            var properties = header.ToProperties(key, RandomAccess.GetLength(handle));
            if (options?.IfMatch is { } expected && expected != properties.ETag)
            {
                ThrowHelper.ThrowETagMismatch(key, expected, properties.ETag);
            }

            var range = options?.Range ?? ByteRange.All;
            if (!range.TryResolve(properties.Length, out long offset, out long length))
            {
                ThrowHelper.ThrowRangeNotSatisfiable(key, range, properties.Length);
            }

            return new BlobDownload(new FileRangeReadStream(handle, header.DataOffset + offset, length), properties, offset, length);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public Task<BlobProperties> PutAsync(BlobKey key, Stream content, PutBlobOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        BlobStoreValidation.Options(key, options);
        return PublishAsync(key, options?.ContentType, options?.Metadata, options?.Conditions, (file, ct) => WriteStreamAsync(file, content, ct), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<BlobProperties> CopyAsync(BlobKey source, BlobKey destination, BlobRequestConditions? destinationConditions = null, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Key(source, nameof(source));
        BlobStoreValidation.Key(destination, nameof(destination));
        destinationConditions?.Validate();
        var download = await OpenReadAsync(source, null, cancellationToken).ConfigureAwait(false);
        await using (download.ConfigureAwait(false))
        {
            var p = download.Properties;
            return await PublishAsync(destination, p.ContentType, p.Metadata, destinationConditions, (file, ct) => WriteStreamAsync(file, download.Content, ct), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(BlobKey key, BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Key(key);
        conditions?.Validate();
        string path = FileSystemPaths.BlobPath(_blobs, key);
        using (await _locks.AcquireAsync(key.Value, cancellationToken).ConfigureAwait(false))
        {
            var current = await CurrentETagAsync(path, cancellationToken).ConfigureAwait(false);
            if (conditions?.IfMatch is not null)
            {
                BlobStoreValidation.Conditions(key, conditions, current);
            }

            if (current is null)
            {
                return false;
            }

            File.Delete(path);
            return true;
        }
    }

    /// <inheritdoc />
    public IAsyncEnumerable<BlobItem> ListAsync(string prefix = "", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        int slash = prefix.LastIndexOf('/');
        if (slash < 0)
        {
            return WalkAsync(_blobs, string.Empty, prefix, cancellationToken);
        }

        string? folder = FileSystemPaths.FolderPath(_blobs, prefix[..slash]);
        return folder is null
            ? AsyncEnumerable.Empty<BlobItem>()
            : WalkAsync(folder, prefix[..(slash + 1)], prefix[(slash + 1)..], cancellationToken);
    }

    /// <inheritdoc />
    public async Task<MultipartUpload> StartMultipartUploadAsync(BlobKey key, PutBlobOptions? options = null, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Options(key, options);
        _ = FileSystemPaths.BlobPath(_blobs, key); // refuse keys this store cannot hold now, not at completion
        string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        string folder = Path.Combine(_uploads, id);
        Directory.CreateDirectory(folder);
        var manifest = new UploadManifest
        {
            Key = key.Value,
            Created = _options.TimeProvider.GetUtcNow(),
            ContentType = options?.ContentType,
            Metadata = options?.Metadata is null ? null : BlobStoreValidation.NormalizeMetadata(options.Metadata),
            IfMatch = options?.Conditions?.IfMatch?.Value,
            IfNoneMatchAny = options?.Conditions?.IfNoneMatchAny ?? false,
        };
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(manifest, FileSystemJsonContext.Default.UploadManifest);
        string temp = Path.Combine(folder, "manifest" + FileSystemPaths.TempSuffix);
        await File.WriteAllBytesAsync(temp, json, cancellationToken).ConfigureAwait(false);
        File.Move(temp, Path.Combine(folder, "manifest.json"), overwrite: true);
        return new MultipartUpload(key, id);
    }

    /// <inheritdoc />
    public async Task<UploadedPart> UploadPartAsync(MultipartUpload upload, int partNumber, Stream content, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Upload(upload);
        BlobStoreValidation.PartNumber(partNumber);
        ArgumentNullException.ThrowIfNull(content);
        var (folder, _) = await OpenUploadAsync(upload, cancellationToken).ConfigureAwait(false);
        var header = new BlobFileHeader { ETag = BlobFileHeader.NewETag(), LastModified = _options.TimeProvider.GetUtcNow() };
        string temp = TempPath(folder);
        try
        {
            long length = await WriteFileAsync(temp, header, content.CanSeek ? content.Length - content.Position : 0, (file, ct) => WriteStreamAsync(file, content, ct), cancellationToken).ConfigureAwait(false);
            File.Move(temp, PartPath(folder, partNumber), overwrite: true);
            return new UploadedPart(partNumber, new ETag(header.ETag), length);
        }
        catch (DirectoryNotFoundException)
        {
            ThrowHelper.ThrowUploadNotFound(upload);
            throw;
        }
        finally
        {
            TryDelete(temp);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<UploadedPart>> ListPartsAsync(MultipartUpload upload, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Upload(upload);
        var (folder, _) = await OpenUploadAsync(upload, cancellationToken).ConfigureAwait(false);
        var parts = new List<UploadedPart>();
        foreach (var file in Directory.EnumerateFiles(folder, "*.part"))
        {
            if (!int.TryParse(Path.GetFileNameWithoutExtension(file), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int number))
            {
                continue;
            }

            try
            {
                using var handle = File.OpenHandle(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                var header = await BlobFileHeader.ReadAsync(handle, file, cancellationToken).ConfigureAwait(false);
                parts.Add(new UploadedPart(number, new ETag(header.ETag), RandomAccess.GetLength(handle) - header.DataOffset));
            }
            catch (FileNotFoundException)
            {
                // Replaced or aborted while listing.
            }
        }

        parts.Sort(static (a, b) => a.PartNumber.CompareTo(b.PartNumber));
        return parts;
    }

    /// <inheritdoc />
    public async Task<BlobProperties> CompleteMultipartUploadAsync(MultipartUpload upload, IReadOnlyList<UploadedPart> parts, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Upload(upload);
        BlobStoreValidation.CompletionParts(upload, parts);
        var (folder, manifest) = await OpenUploadAsync(upload, cancellationToken).ConfigureAwait(false);

        // Open every part first and check its ETag on the open handle, so a part replaced meanwhile is never mixed in.
        var handles = new List<(SafeFileHandle Handle, long Offset, long Length)>(parts.Count);
        try
        {
            foreach (var part in parts)
            {
                string path = PartPath(folder, part.PartNumber);
                SafeFileHandle handle;
                try
                {
                    handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                }
                catch (FileNotFoundException)
                {
                    ThrowHelper.ThrowInvalidPart(upload.Key, $"Part {part.PartNumber} of upload '{upload.UploadId}' was never stored.");
                    throw;
                }

                var header = await BlobFileHeader.ReadAsync(handle, path, cancellationToken).ConfigureAwait(false);
                long length = RandomAccess.GetLength(handle) - header.DataOffset;
                handles.Add((handle, header.DataOffset, length));
                if (header.ETag != part.ETag.Value)
                {
                    ThrowHelper.ThrowInvalidPart(upload.Key, $"Part {part.PartNumber} of upload '{upload.UploadId}' has ETag {header.ETag}, not {part.ETag}: it was uploaded again since.");
                }
            }

            var conditions = manifest.IfMatch is not null
                ? BlobRequestConditions.Matching(new ETag(manifest.IfMatch))
                : manifest.IfNoneMatchAny ? BlobRequestConditions.CreateOnly : null;
            var properties = await PublishAsync(upload.Key, manifest.ContentType, manifest.Metadata, conditions, (file, ct) => ConcatenateAsync(file, handles, ct), cancellationToken).ConfigureAwait(false);
            foreach (var h in handles)
            {
                h.Handle.Dispose();
            }

            handles.Clear();
            DeleteFolder(folder);
            return properties;
        }
        finally
        {
            foreach (var h in handles)
            {
                h.Handle.Dispose();
            }
        }
    }

    /// <inheritdoc />
    public Task AbortMultipartUploadAsync(MultipartUpload upload, CancellationToken cancellationToken = default)
    {
        BlobStoreValidation.Upload(upload);
        cancellationToken.ThrowIfCancellationRequested();
        if (IsUploadId(upload.UploadId))
        {
            DeleteFolder(Path.Combine(_uploads, upload.UploadId));
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Removes what interrupted work left behind: temp files of writes that never finished and multipart uploads started
    /// more than <see cref="FileSystemBlobStoreOptions.StaleAge"/> ago, plus empty folders. Safe to run while the store is in use.
    /// </summary>
    public Task<SweepResult> SweepAsync(CancellationToken cancellationToken = default)
    {
        var cutoff = _options.TimeProvider.GetUtcNow() - _options.StaleAge;
        int temps = 0, uploads = 0;
        long bytes = 0;

        foreach (var file in new DirectoryInfo(_blobs).EnumerateFiles("*" + FileSystemPaths.TempSuffix, SearchOption.AllDirectories))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (file.LastWriteTimeUtc < cutoff.UtcDateTime && TryDelete(file.FullName))
            {
                temps++;
                bytes += file.Length;
            }
        }

        foreach (var folder in new DirectoryInfo(_uploads).EnumerateDirectories())
        {
            cancellationToken.ThrowIfCancellationRequested();
            DateTimeOffset created = folder.CreationTimeUtc;
            try
            {
                var manifest = JsonSerializer.Deserialize(File.ReadAllBytes(Path.Combine(folder.FullName, "manifest.json")), FileSystemJsonContext.Default.UploadManifest);
                created = manifest?.Created ?? created;
            }
            catch (Exception ex) when (ex is IOException or JsonException)
            {
                // No readable manifest: an upload that never finished starting; its folder time decides.
            }

            if (created < cutoff)
            {
                long size = 0;
                foreach (var f in folder.EnumerateFiles())
                {
                    size += f.Length;
                }

                if (DeleteFolder(folder.FullName))
                {
                    uploads++;
                    bytes += size;
                }
            }
        }

        RemoveEmptyFolders(new DirectoryInfo(_blobs), cutoff.UtcDateTime, isRoot: true);
        return Task.FromResult(new SweepResult(temps, uploads, bytes));
    }

    /// <inheritdoc />
    public void Dispose() => _locks.Dispose();

    private delegate Task<long> WriteBody(SafeFileHandle file, CancellationToken cancellationToken);

    /// <summary>Writes a new version to a temp file beside its final path, then checks conditions and renames under the key's lock.</summary>
    private async Task<BlobProperties> PublishAsync(BlobKey key, string? contentType, IReadOnlyDictionary<string, string>? metadata, BlobRequestConditions? conditions, WriteBody body, CancellationToken cancellationToken)
    {
        string path = FileSystemPaths.BlobPath(_blobs, key);
        string folder = Path.GetDirectoryName(path)!;
        var header = new BlobFileHeader
        {
            ETag = BlobFileHeader.NewETag(),
            LastModified = _options.TimeProvider.GetUtcNow(),
            ContentType = contentType,
            Metadata = metadata is null || metadata.Count == 0 ? null : BlobStoreValidation.NormalizeMetadata(metadata),
        };

        string temp = TempPath(folder);
        try
        {
            long length;
            try
            {
                length = await WriteFileAsync(temp, header, 0, body, cancellationToken).ConfigureAwait(false);
            }
            catch (DirectoryNotFoundException)
            {
                // The folder was new (or swept as empty a moment ago): create it and write once more.
                Directory.CreateDirectory(folder);
                length = await WriteFileAsync(temp, header, 0, body, cancellationToken).ConfigureAwait(false);
            }

            cancellationToken.ThrowIfCancellationRequested();
            using (await _locks.AcquireAsync(key.Value, cancellationToken).ConfigureAwait(false))
            {
                if (conditions is not null)
                {
                    BlobStoreValidation.Conditions(key, conditions, await CurrentETagAsync(path, cancellationToken).ConfigureAwait(false));
                }

                File.Move(temp, path, overwrite: true);
            }

            return new BlobProperties(key, length, new ETag(header.ETag), header.LastModified, header.ContentType, header.Metadata);
        }
        finally
        {
            TryDelete(temp);
        }
    }

    /// <summary>Creates <paramref name="path"/>, writes the header and the body, flushes to disk. Returns the body's length.</summary>
    private async Task<long> WriteFileAsync(string path, BlobFileHeader header, long expectedLength, WriteBody body, CancellationToken cancellationToken)
    {
        byte[] head = header.Serialize();
        using var file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, FileOptions.None, preallocationSize: expectedLength > 0 ? head.Length + expectedLength : 0);
        await RandomAccess.WriteAsync(file, head, 0, cancellationToken).ConfigureAwait(false);
        long length = await body(file, cancellationToken).ConfigureAwait(false);
        if (_options.FlushToDisk)
        {
            RandomAccess.FlushToDisk(file);
        }

        return length;
    }

    private static async Task<long> WriteStreamAsync(SafeFileHandle file, Stream content, CancellationToken cancellationToken)
    {
        long offset = RandomAccess.GetLength(file);
        long start = offset;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            int n;
            while ((n = await content.ReadAsync(buffer.AsMemory(0, CopyBufferSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                await RandomAccess.WriteAsync(file, buffer.AsMemory(0, n), offset, cancellationToken).ConfigureAwait(false);
                offset += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return offset - start;
    }

    private static async Task<long> ConcatenateAsync(SafeFileHandle file, List<(SafeFileHandle Handle, long Offset, long Length)> parts, CancellationToken cancellationToken)
    {
        long offset = RandomAccess.GetLength(file);
        long start = offset;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            foreach (var (handle, dataOffset, length) in parts)
            {
                long done = 0;
                while (done < length)
                {
                    int want = (int)Math.Min(CopyBufferSize, length - done);
                    int n = await RandomAccess.ReadAsync(handle, buffer.AsMemory(0, want), dataOffset + done, cancellationToken).ConfigureAwait(false);
                    if (n == 0)
                    {
                        throw new BlobStoreException(BlobErrorCode.Unknown, "A multipart part file ended early while it was being joined; its file is damaged.");
                    }

                    await RandomAccess.WriteAsync(file, buffer.AsMemory(0, n), offset, cancellationToken).ConfigureAwait(false);
                    offset += n;
                    done += n;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return offset - start;
    }

    private static SafeFileHandle OpenForRead(string path, BlobKey key)
    {
        try
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BlobNotFoundException(key.Value, innerException: ex);
        }
    }

    private static async Task<ETag?> CurrentETagAsync(string path, CancellationToken cancellationToken)
    {
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        using (handle)
        {
            var header = await BlobFileHeader.ReadAsync(handle, path, cancellationToken).ConfigureAwait(false);
            return new ETag(header.ETag);
        }
    }

    private static async IAsyncEnumerable<BlobItem> WalkAsync(string folder, string keyPrefix, string namePrefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var entries = new List<(string SortKey, string Name, bool IsFolder, string Path)>();
        try
        {
            foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos())
            {
                string fileName = entry.Name;
                bool isFolder = entry is DirectoryInfo;
                string suffix = isFolder ? FileSystemPaths.FolderSuffix : FileSystemPaths.BlobSuffix;
                if (!fileName.EndsWith(suffix, StringComparison.Ordinal))
                {
                    continue; // temp files and anything not ours
                }

                string name = FileSystemPaths.Decode(fileName.AsSpan(0, fileName.Length - suffix.Length));
                if (name.StartsWith(namePrefix, StringComparison.Ordinal))
                {
                    entries.Add((isFolder ? name + "/" : name, name, isFolder, entry.FullName));
                }
            }
        }
        catch (DirectoryNotFoundException)
        {
            yield break;
        }

        entries.Sort(static (a, b) => Utf8Ordinal.Compare(a.SortKey, b.SortKey));
        foreach (var entry in entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (entry.IsFolder)
            {
                await foreach (var item in WalkAsync(entry.Path, keyPrefix + entry.Name + "/", string.Empty, cancellationToken).ConfigureAwait(false))
                {
                    yield return item;
                }

                continue;
            }

            BlobItem? found = null;
            try
            {
                using var handle = File.OpenHandle(entry.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                var header = await BlobFileHeader.ReadAsync(handle, entry.Path, cancellationToken).ConfigureAwait(false);
                found = new BlobItem(BlobKey.Parse(keyPrefix + entry.Name), RandomAccess.GetLength(handle) - header.DataOffset, new ETag(header.ETag), header.LastModified);
            }
            catch (FileNotFoundException)
            {
                // Deleted while listing.
            }

            if (found is { } item2)
            {
                yield return item2;
            }
        }
    }

    /// <summary>The upload's folder and manifest, read once; an id that is not ours, or a manifest for another key, names no upload.</summary>
    private async Task<(string Folder, UploadManifest Manifest)> OpenUploadAsync(MultipartUpload upload, CancellationToken cancellationToken)
    {
        if (!IsUploadId(upload.UploadId))
        {
            ThrowHelper.ThrowUploadNotFound(upload);
        }

        string folder = Path.Combine(_uploads, upload.UploadId);
        return (folder, await ReadManifestAsync(folder, upload, cancellationToken).ConfigureAwait(false));
    }

    private static async Task<UploadManifest> ReadManifestAsync(string folder, MultipartUpload upload, CancellationToken cancellationToken)
    {
        UploadManifest? manifest;
        try
        {
            var bytes = await File.ReadAllBytesAsync(Path.Combine(folder, "manifest.json"), cancellationToken).ConfigureAwait(false);
            manifest = JsonSerializer.Deserialize(bytes, FileSystemJsonContext.Default.UploadManifest);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            manifest = null;
        }

        if (manifest is null || manifest.Key != upload.Key.Value)
        {
            ThrowHelper.ThrowUploadNotFound(upload);
        }

        return manifest;
    }

    /// <summary>Upload ids are 32 lower-case hex digits; anything else (a path, <c>..</c>) names no upload.</summary>
    private static bool IsUploadId(string id)
    {
        if (id.Length != 32)
        {
            return false;
        }

        foreach (char c in id)
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static string PartPath(string folder, int partNumber) =>
        Path.Combine(folder, partNumber.ToString("D5", System.Globalization.CultureInfo.InvariantCulture) + ".part");

    private static string TempPath(string folder) =>
        Path.Combine(folder, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)) + FileSystemPaths.TempSuffix);

    private static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool DeleteFolder(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
            return true;
        }
        catch (DirectoryNotFoundException)
        {
            return false;
        }
    }

    private static void RemoveEmptyFolders(DirectoryInfo folder, DateTime cutoffUtc, bool isRoot)
    {
        foreach (var child in folder.EnumerateDirectories())
        {
            RemoveEmptyFolders(child, cutoffUtc, isRoot: false);
        }

        if (!isRoot && folder.LastWriteTimeUtc < cutoffUtc)
        {
            try
            {
                folder.Delete(recursive: false);
            }
            catch (IOException)
            {
                // Not empty (or just written to): keep it.
            }
        }
    }
}
