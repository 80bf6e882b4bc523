using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Win32.SafeHandles;
using MusicLocker.Storage.Diagnostics;
using MusicLocker.Storage.Providers;

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
public sealed partial class FileSystemBlobStore : IBlobStore, IDisposable
{
    private const string Store = "filesystem";

    /// <summary>How many times an open meets a sweep's momentary lock before it reports the file as held.</summary>
    private const int MaxLockedOpens = 50;
    private readonly FileSystemBlobStoreOptions _options;
    private readonly ILogger _logger;
    private readonly string _blobs;
    private readonly string _uploads;
    private readonly StripedFileLock _locks;
    private readonly BlobReadMemo _readMemo;

    /// <summary>Opens (and creates when missing) a store in <paramref name="rootPath"/>.</summary>
    public FileSystemBlobStore(string rootPath)
        : this(new FileSystemBlobStoreOptions { RootPath = rootPath })
    {
    }

    /// <summary>Opens (and creates when missing) a store with the given options.</summary>
    public FileSystemBlobStore(FileSystemBlobStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options = options.Snapshot();
        _options = options;
        _logger = options.LoggerFactory?.CreateLogger<FileSystemBlobStore>() ?? NullLogger<FileSystemBlobStore>.Instance;
        RootPath = Path.GetFullPath(options.RootPath);
        _blobs = Path.Combine(RootPath, "blobs");
        _readMemo = new BlobReadMemo(_blobs);
        _uploads = Path.Combine(RootPath, "uploads");
        try
        {
            Directory.CreateDirectory(_blobs);
            Directory.CreateDirectory(_uploads);
            _locks = new StripedFileLock(Path.Combine(RootPath, "locks"), options.LockTimeout);
        }
        catch (Exception ex) when (FileSystemErrors.IsFileSystemError(ex))
        {
            throw FileSystemErrors.Translate(ex, "Opening the store", null, RootPath);
        }
    }

    /// <summary>The full path of the store's folder.</summary>
    public string RootPath { get; }

    /// <inheritdoc />
    public Task<BlobProperties> GetPropertiesAsync(BlobKey key, CancellationToken cancellationToken = default) =>
        TracedCall.RunAsync(Store, "get_properties", key, _ => GetPropertiesCoreAsync(key, cancellationToken));

    private async Task<BlobProperties> GetPropertiesCoreAsync(BlobKey key, CancellationToken cancellationToken)
    {
        BlobStoreValidation.Key(key);
        var memo = _readMemo.For(key);
        string path = memo.Path;
        try
        {
            using var handle = await OpenForReadAsync(path, key, cancellationToken).ConfigureAwait(false);
            var header = BlobFileHeader.Read(handle, path, memo);
            return header.ToProperties(key, RandomAccess.GetLength(handle));
        }
        catch (Exception ex) when (FileSystemErrors.IsFileSystemError(ex))
        {
            throw FileSystemErrors.Translate(ex, "Reading the properties of", key.Value, path);
        }
    }

    /// <inheritdoc />
    public Task<BlobDownload> OpenReadAsync(BlobKey key, ReadBlobOptions? options = null, CancellationToken cancellationToken = default)
    {
        // Read the caller's options once: a change while the read opens has no effect.
        var range = options?.Range ?? ByteRange.All;
        var ifMatch = options?.IfMatch;
        return TracedCall.RunAsync(Store, "read", key, scope => OpenReadCoreAsync(key, range, ifMatch, scope, cancellationToken));
    }

    private async Task<BlobDownload> OpenReadCoreAsync(BlobKey key, ByteRange range, ETag? ifMatch, Providers.StorageOperationScope? scope, CancellationToken cancellationToken)
    {
        BlobStoreValidation.Key(key);
        var memo = _readMemo.For(key);
        string path = memo.Path;
        SafeFileHandle? handle = null;
        try
        {
            // The handle pins this version: a later rename publishes a new file and leaves this one readable until closed.
            handle = await OpenForReadAsync(path, key, cancellationToken).ConfigureAwait(false);
            var header = BlobFileHeader.Read(handle, path, memo);
            var properties = header.ToProperties(key, RandomAccess.GetLength(handle));
            if (ifMatch is { } expected && expected != properties.ETag)
            {
                ThrowHelper.ThrowETagMismatch(key, expected, properties.ETag);
            }

            if (!range.TryResolve(properties.Length, out long offset, out long length))
            {
                ThrowHelper.ThrowRangeNotSatisfiable(key, range, properties.Length);
            }

            // A caller's read counts its bytes as they are read; a copy's own read of the source counts nothing (it writes them).
            scope?.SetRange(offset, length);
            scope?.Activity?.SetTag("musiclocker.bytes", length);
            var content = new FileRangeReadStream(handle, header.DataOffset + offset, length, key, path) { CountsReadsFor = scope is null ? null : Store };
            return new BlobDownload(content, properties, offset, length);
        }
        catch (Exception ex)
        {
            handle?.Dispose();
            if (FileSystemErrors.IsFileSystemError(ex))
            {
                throw FileSystemErrors.Translate(ex, "Reading", key.Value, path);
            }

            throw;
        }
    }

    /// <inheritdoc />
    public Task<BlobProperties> PutAsync(BlobKey key, Stream content, PutBlobOptions? options = null, CancellationToken cancellationToken = default) =>
        TracedCall.RunAsync(Store, "put", key, async scope =>
        {
            ArgumentNullException.ThrowIfNull(content);
            var put = PutSnapshot.Take(key, options);
            var properties = await PublishAsync(key, put.ContentType, put.Metadata, put.Conditions, (file, ct) => WriteStreamAsync(file, content, callerStream: true, ct), cancellationToken).ConfigureAwait(false);
            scope.SetBytes(properties.Length, written: true);
            return properties;
        });

    /// <inheritdoc />
    public Task<BlobProperties> CopyAsync(BlobKey source, BlobKey destination, BlobRequestConditions? destinationConditions = null, CancellationToken cancellationToken = default) =>
        TracedCall.RunAsync(Store, "copy", destination, async scope =>
        {
            BlobStoreValidation.Key(source, nameof(source));
            BlobStoreValidation.Key(destination, nameof(destination));
            destinationConditions?.Validate();
            scope.Activity?.SetTag("musiclocker.blob.source_key", source.Value);
            var download = await OpenReadCoreAsync(source, ByteRange.All, null, null, cancellationToken).ConfigureAwait(false);
            await using (download.ConfigureAwait(false))
            {
                var p = download.Properties;
                var properties = await PublishAsync(destination, p.ContentType, p.Metadata, destinationConditions, (file, ct) => WriteStreamAsync(file, download.Content, callerStream: false, ct), cancellationToken).ConfigureAwait(false);
                scope.SetBytes(properties.Length, written: true);
                return properties;
            }
        });

    /// <inheritdoc />
    public Task<bool> DeleteAsync(BlobKey key, BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default) =>
        TracedCall.RunAsync(Store, "delete", key, _ => DeleteCoreAsync(key, conditions, cancellationToken));

    private async Task<bool> DeleteCoreAsync(BlobKey key, BlobRequestConditions? conditions, CancellationToken cancellationToken)
    {
        BlobStoreValidation.Key(key);
        conditions?.Validate();
        string path = FileSystemPaths.BlobPath(_blobs, key);
        try
        {
            using (await _locks.AcquireAsync(key.Value, cancellationToken).ConfigureAwait(false))
            {
                var current = await CurrentVersionAsync(path, cancellationToken).ConfigureAwait(false);
                if (conditions?.IfMatch is not null)
                {
                    CheckConditions(key, conditions, current, path);
                }

                if (!current.Exists)
                {
                    return false;
                }

                // A damaged file is deleted too: deleting is how a caller gets rid of it.
                File.Delete(path);
                return true;
            }
        }
        catch (Exception ex) when (FileSystemErrors.IsFileSystemError(ex))
        {
            throw FileSystemErrors.Translate(ex, "Deleting", key.Value, path);
        }
    }

    /// <inheritdoc />
    public IAsyncEnumerable<BlobItem> ListAsync(string prefix = "", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        return TracedCall.ListAsync(Store, prefix, ListCore(prefix, cancellationToken), cancellationToken: cancellationToken);
    }

    private IAsyncEnumerable<BlobItem> ListCore(string prefix, CancellationToken cancellationToken)
    {
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

    /// <summary>
    /// Removes what interrupted work left behind: temp files of writes that never finished and multipart uploads started
    /// more than <see cref="FileSystemBlobStoreOptions.StaleAge"/> ago, plus empty folders. Safe to run while the store is in
    /// use, from any number of threads and processes: a temp file a live writer holds is never removed, and a writer whose
    /// folder is removed under it creates it again. The work runs on the thread pool and stops at <paramref name="cancellationToken"/>.
    /// </summary>
    public Task<SweepResult> SweepAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.Run(
            () =>
            {
                try
                {
                    var result = Sweep(cancellationToken);
                    StorageLog.SweepCompleted(_logger, RootPath, result.TempFilesRemoved, result.UploadsRemoved, result.BytesFreed);
                    return result;
                }
                catch (Exception ex) when (FileSystemErrors.IsFileSystemError(ex))
                {
                    throw FileSystemErrors.Translate(ex, "Sweeping", null, RootPath);
                }
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public void Dispose() => _locks.Dispose();

    private delegate Task<long> WriteBody(SafeFileHandle file, CancellationToken cancellationToken);

    /// <summary>The current file of a key: absent, present with a readable header, or present but damaged (no ETag).</summary>
    private readonly record struct CurrentVersion(bool Exists, ETag? ETag);

    private SweepResult Sweep(CancellationToken cancellationToken)
    {
        var cutoff = _options.TimeProvider.GetUtcNow() - _options.StaleAge;
        var counts = new SweepCounts();
        SweepFolder(new DirectoryInfo(_blobs), cutoff.UtcDateTime, isRoot: true, counts, cancellationToken);

        foreach (var folder in new DirectoryInfo(_uploads).EnumerateDirectories())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (IsUploadId(folder.Name) && UploadStarted(folder) >= cutoff)
            {
                continue;
            }

            // A stale upload, or the remains of one being removed (see RemoveUpload).
            long size = 0;
            try
            {
                foreach (var f in folder.EnumerateFiles())
                {
                    size += f.Length;
                }
            }
            catch (DirectoryNotFoundException)
            {
                continue;
            }

            if (DeleteFolder(folder.FullName) && IsUploadId(folder.Name))
            {
                counts.Uploads++;
                counts.Bytes += size;
            }
        }

        return new SweepResult(counts.Temps, counts.Uploads, counts.Bytes);
    }

    private static DateTimeOffset UploadStarted(DirectoryInfo folder)
    {
        try
        {
            var manifest = JsonSerializer.Deserialize(File.ReadAllBytes(Path.Combine(folder.FullName, "manifest.json")), FileSystemJsonContext.Default.UploadManifest);
            return manifest?.Created ?? folder.CreationTimeUtc;
        }
        catch (Exception ex) when (ex is IOException or JsonException)
        {
            // No readable manifest: an upload that never finished starting; its folder time decides.
            return folder.CreationTimeUtc;
        }
    }

    /// <summary>Sweeps one folder of blobs depth-first: stale temp files nobody holds, then the folder itself if it is empty and stale.</summary>
    private static void SweepFolder(DirectoryInfo folder, DateTime cutoffUtc, bool isRoot, SweepCounts counts, CancellationToken cancellationToken)
    {
        FileSystemInfo[] entries;
        try
        {
            entries = folder.GetFileSystemInfos();
        }
        catch (DirectoryNotFoundException)
        {
            return; // removed by another sweep
        }

        foreach (var entry in entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (entry is DirectoryInfo child)
            {
                SweepFolder(child, cutoffUtc, isRoot: false, counts, cancellationToken);
            }
            else if (entry.Name.EndsWith(FileSystemPaths.TempSuffix, StringComparison.Ordinal) && entry.LastWriteTimeUtc < cutoffUtc && TryDeleteUnheld(entry.FullName) is long freed and >= 0)
            {
                counts.Temps++;
                counts.Bytes += freed;
            }
        }

        // The time is the folder's as listed, before its own stale files went: a folder emptied now goes in this sweep.
        // Removing an empty folder is safe whenever it happens: a writer whose folder vanishes creates it again.
        if (!isRoot && folder.LastWriteTimeUtc < cutoffUtc)
        {
            try
            {
                folder.Delete(recursive: false);
            }
            catch (IOException)
            {
                // Not empty (a writer got there first), or gone already: keep it.
            }
        }
    }

    /// <summary>
    /// Deletes a temp file only when no handle holds it. A writer holds its temp file's OS lock from creation to publication,
    /// so a sweep takes the file's exclusive lock first and skips it when that fails. Returns the bytes freed, or -1.
    /// </summary>
    private static long TryDeleteUnheld(string path)
    {
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.None);

            // The open and the lock are two steps: a writer may have renamed this file over its blob and closed it between
            // them, and then this lock sits on a published blob, where every reader's shared lock meets it. The temp name
            // is random and never reused, so when it is gone the file is no longer a temp: let go at once.
            if (!File.Exists(path))
            {
                return -1;
            }

            long size = RandomAccess.GetLength(handle);
            File.Delete(path);
            return size;
        }
        catch (IOException)
        {
            return -1; // held by a live writer, or gone already
        }
    }

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

        string? temp = null;
        bool moved = false;
        try
        {
            var (file, created) = await CreateTempAsync(folder, createFolder: true, 0, cancellationToken).ConfigureAwait(false);
            temp = created;

            // The temp file stays open (and so locked against sweeps) until it is renamed over the blob.
            using (file)
            {
                long length = await WriteFileAsync(file, header, body, cancellationToken).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                using (await _locks.AcquireAsync(key.Value, cancellationToken).ConfigureAwait(false))
                {
                    if (conditions is not null)
                    {
                        CheckConditions(key, conditions, await CurrentVersionAsync(path, cancellationToken).ConfigureAwait(false), path);
                    }

                    try
                    {
                        File.Move(temp, path, overwrite: true);
                    }
                    catch (FileNotFoundException ex)
                    {
                        throw new BlobStoreException(BlobErrorCode.Unavailable, $"The write of '{key}' lost its temp file '{temp}' before it was published: something outside the store removed it. Nothing was changed; write it again.", key.Value, ex);
                    }

                    moved = true;
                }

                return new BlobProperties(key, length, new ETag(header.ETag), header.LastModified, header.ContentType, header.Metadata);
            }
        }
        catch (CallerStreamFailure failure)
        {
            ExceptionDispatchInfo.Throw(failure.InnerException!);
            throw;
        }
        catch (Exception ex) when (FileSystemErrors.IsFileSystemError(ex))
        {
            throw FileSystemErrors.Translate(ex, "Writing", key.Value, temp ?? path);
        }
        finally
        {
            if (temp is not null && !moved)
            {
                TryDelete(temp);
            }
        }
    }

    /// <summary>
    /// Creates a new temp file in <paramref name="folder"/> and returns it open. The handle holds the file's OS lock, so a
    /// sweep in any process leaves it alone until it is closed. When the folder is missing — new, or removed as empty by a
    /// sweep a moment ago, in this process or another — it is created (with <paramref name="createFolder"/>) and the
    /// create is tried again with a new name; so is a create that a sweep raced.
    /// </summary>
    private async ValueTask<(SafeFileHandle File, string Path)> CreateTempAsync(string folder, bool createFolder, long expectedLength, CancellationToken cancellationToken)
    {
        const int MaxAttempts = 100;
        for (int attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string temp = TempPath(folder);
            SafeFileHandle file;
            try
            {
                // FileShare.Delete: the file can be renamed while open (Windows), and on Unix the handle holds a shared flock.
                file = File.OpenHandle(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Delete, FileOptions.None, preallocationSize: expectedLength);
            }
            catch (Exception ex) when (ex is DirectoryNotFoundException or FileNotFoundException && createFolder && attempt < MaxAttempts)
            {
                // ENOENT: the folder is missing. .NET reports it as FileNotFound when another writer created the folder
                // between the failed open and its check, so both mean "create the folder and try again".
                if (attempt > 1)
                {
                    StorageLog.FolderRaceRetried(_logger, folder, attempt, "the folder was removed");
                }

                CreateFolder(folder);
                continue;
            }
            catch (IOException ex) when (FileSystemErrors.IsLocked(ex) && attempt < MaxAttempts)
            {
                // A sweep locked the new file before this handle did, to delete it: use another name.
                StorageLog.FolderRaceRetried(_logger, folder, attempt, "a sweep locked the new temp file");
                TryDelete(temp);
                await Task.Yield();
                continue;
            }

            // A sweep may have locked, deleted and released the file between its creation and our lock: the name must still be ours.
            if (File.Exists(temp))
            {
                return (file, temp);
            }

            StorageLog.FolderRaceRetried(_logger, folder, attempt, "a sweep deleted the new temp file");
            file.Dispose();
        }
    }

    private static void CreateFolder(string folder)
    {
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (IOException ex) when (ex is not PathTooLongException)
        {
            // A sweep removed the folder or a parent while it was being created (mkdir then fails with ENOENT, or with
            // EEXIST and then finds no folder there); the next attempt creates it again, and a lasting failure surfaces
            // from the create of the temp file once the attempts run out.
        }
    }

    /// <summary>Writes the header and the body at the start of <paramref name="file"/>, flushes to disk. Returns the body's length.</summary>
    private async Task<long> WriteFileAsync(SafeFileHandle file, BlobFileHeader header, WriteBody body, CancellationToken cancellationToken)
    {
        byte[] head = header.Serialize();
        await RandomAccess.WriteAsync(file, head, 0, cancellationToken).ConfigureAwait(false);
        long length = await body(file, cancellationToken).ConfigureAwait(false);
        if (_options.FlushToDisk)
        {
            RandomAccess.FlushToDisk(file);
        }

        return length;
    }

    /// <summary>
    /// Copies <paramref name="content"/> into the file in aligned writes (<see cref="AlignedFileWriter"/>). A caller's
    /// stream failing reaches the caller as its own exception, not as a store error.
    /// </summary>
    private async Task<long> WriteStreamAsync(SafeFileHandle file, Stream content, bool callerStream, CancellationToken cancellationToken)
    {
        using var writer = new AlignedFileWriter(file, RandomAccess.GetLength(file), writeBack: _options.FlushToDisk);
        int n;
        while ((n = await ReadSourceAsync(content, writer.Free, callerStream, cancellationToken).ConfigureAwait(false)) > 0)
        {
            await writer.AdvanceAsync(n, cancellationToken).ConfigureAwait(false);
        }

        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        return writer.Length;
    }

    private static async ValueTask<int> ReadSourceAsync(Stream content, Memory<byte> buffer, bool callerStream, CancellationToken cancellationToken)
    {
        try
        {
            return await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (callerStream && FileSystemErrors.IsFileSystemError(ex))
        {
            throw new CallerStreamFailure(ex);
        }
    }

    private async ValueTask<SafeFileHandle> OpenForReadAsync(string path, BlobKey key, CancellationToken cancellationToken)
    {
        try
        {
            return await OpenSharedAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BlobNotFoundException(key.Value, innerException: ex);
        }
    }

    /// <summary>
    /// Opens a blob or part file to read. On Unix the open takes a shared <c>flock</c>, which fails at once while a sweep's
    /// exclusive probe lock sits on the file: the probe lands on a blob only when its writer renamed the temp file between
    /// the sweep's open and its lock, and lets go as soon as it sees that (<see cref="TryDeleteUnheld"/>). So a locked open
    /// is tried again, briefly, rather than failing a read with a file nobody really holds.
    /// </summary>
    private async ValueTask<SafeFileHandle> OpenSharedAsync(string path, CancellationToken cancellationToken)
    {
        // The open and the header read after it are synchronous, so a cancelled token is honoured here, before either.
        cancellationToken.ThrowIfCancellationRequested();
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            }
            catch (IOException ex) when (FileSystemErrors.IsLocked(ex) && attempt < MaxLockedOpens)
            {
                StorageLog.LockedOpenRetried(_logger, path, attempt);
                await Task.Delay(Math.Min(attempt, 10), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<CurrentVersion> CurrentVersionAsync(string path, CancellationToken cancellationToken)
    {
        SafeFileHandle handle;
        try
        {
            handle = await OpenSharedAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return new CurrentVersion(false, null);
        }

        using (handle)
        {
            try
            {
                var header = BlobFileHeader.Read(handle, path);
                return new CurrentVersion(true, new ETag(header.ETag));
            }
            catch (BlobStoreException ex) when (ex.ErrorCode == BlobErrorCode.IntegrityCheckFailed)
            {
                return new CurrentVersion(true, null); // damaged: there, but with no version anyone can name
            }
        }
    }

    /// <summary>Checks write or delete conditions against the current file; a damaged file exists but matches no ETag.</summary>
    private static void CheckConditions(BlobKey key, BlobRequestConditions conditions, CurrentVersion current, string path)
    {
        if (current.Exists && current.ETag is null)
        {
            if (conditions.IfNoneMatchAny)
            {
                ThrowHelper.ThrowExists(key);
            }

            if (conditions.IfMatch is { } expected)
            {
                throw new BlobConditionFailedException(key.Value, $"The blob '{key}' is damaged on disk ('{path}'), so it is not at version {expected}. Delete or overwrite it without a condition.");
            }

            return;
        }

        BlobStoreValidation.Conditions(key, conditions, current.ETag);
    }

    private async IAsyncEnumerable<BlobItem> WalkAsync(string folder, string keyPrefix, string namePrefix, [EnumeratorCancellation] CancellationToken cancellationToken)
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
            yield break; // no such folder, or removed as empty while listing
        }
        catch (Exception ex) when (FileSystemErrors.IsFileSystemError(ex))
        {
            throw FileSystemErrors.Translate(ex, "Listing", keyPrefix + namePrefix, folder);
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

            if (await ReadItemAsync(keyPrefix + entry.Name, entry.Path, cancellationToken).ConfigureAwait(false) is { } found)
            {
                yield return found;
            }
        }
    }

    /// <summary>A listed blob, or <see langword="null"/> when it was deleted while listing or its file is damaged.</summary>
    private async Task<BlobItem?> ReadItemAsync(string key, string path, CancellationToken cancellationToken)
    {
        try
        {
            using var handle = await OpenSharedAsync(path, cancellationToken).ConfigureAwait(false);
            var header = BlobFileHeader.Read(handle, path);
            return new BlobItem(BlobKey.Parse(key), RandomAccess.GetLength(handle) - header.DataOffset, new ETag(header.ETag), header.LastModified);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null; // deleted while listing
        }
        catch (BlobStoreException ex) when (ex.ErrorCode is BlobErrorCode.IntegrityCheckFailed or BlobErrorCode.InvalidKey)
        {
            // Damaged, or a file whose name decodes to no key (put there by hand): one bad file must not hide its siblings. Reading the key reports the damage with the file's path,
            // and deleting it removes it.
            StorageLog.DamagedBlobSkipped(_logger, key, path, ex.Message);
            return null;
        }
        catch (Exception ex) when (FileSystemErrors.IsFileSystemError(ex))
        {
            throw FileSystemErrors.Translate(ex, "Listing", key, path);
        }
    }

    /// <summary>Carries the caller's own stream's exception past the store's translation of file-system errors.</summary>
    private sealed class CallerStreamFailure(Exception inner) : Exception(inner.Message, inner);

    /// <summary>What a sweep removed so far.</summary>
    private sealed class SweepCounts
    {
        public int Temps { get; set; }

        public int Uploads { get; set; }

        public long Bytes { get; set; }
    }

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
        catch (IOException)
        {
            return false; // gone already, or a writer raced into it: the next sweep tries again
        }
    }
}
