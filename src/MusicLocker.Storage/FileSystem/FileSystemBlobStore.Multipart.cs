using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;
using MusicLocker.Storage.Diagnostics;
using MusicLocker.Storage.Providers;

namespace MusicLocker.Storage.FileSystem;

/// <summary>
/// Multipart uploads of the file-system store. An upload is a folder under <c>uploads/</c>: its manifest, one sparse
/// <c>data</c> file that starts with room for the blob's header and takes every part at a region of its own, and one
/// sparse <c>entries</c> file with a fixed slot per part number naming the part's region (<see cref="EntrySlotSize"/>
/// bytes, checksummed, overwritten in place when the part is sent again). No file is created or deleted per part (a
/// part whose stream length is unknown spills to a file of its own): on ext4 without a journal, every new inode scans
/// the inodes deleted in the last seconds, so a file per part cost an upload more than its writes. When the
/// listed parts lie end to end from the header's room — as they do when parts are sent in order — completion writes
/// the header, flushes the file once, and renames it over the blob: no part is copied. Otherwise the regions are
/// copied into a new blob file, as any write is.
/// </summary>
/// <remarks>
/// Part writes hold a shared lock on the data file (the OS file lock of their open handle), completion an exclusive
/// one, so completion never sees a part half written and a part write never lands in a published blob: a writer that
/// finds the data file renamed away after it locked it lets go and reports the upload gone. Regions are handed out
/// under the upload's cross-process lock stripe, so two processes writing one upload never share a region.
/// </remarks>
public sealed partial class FileSystemBlobStore
{
    private const string DataFileName = "data";

    private const string EntriesFileName = "entries";

    /// <summary>
    /// The bytes of one part's slot in the entries file: a 2-byte little-endian length, the entry's JSON, and at the end
    /// the first 8 bytes of the JSON's SHA-256 (a slot that is zero, or torn by a crash, names no part).
    /// </summary>
    private const int EntrySlotSize = 256;

    private const int EntryChecksumSize = 8;

    /// <inheritdoc />
    public Task<MultipartUpload> StartMultipartUploadAsync(BlobKey key, PutBlobOptions? options = null, CancellationToken cancellationToken = default) =>
        TracedCall.RunAsync(Store, "multipart.start", key, _ => StartMultipartUploadCoreAsync(key, PutSnapshot.Take(key, options), cancellationToken));

    private async Task<MultipartUpload> StartMultipartUploadCoreAsync(BlobKey key, PutSnapshot options, CancellationToken cancellationToken)
    {
        _ = FileSystemPaths.BlobPath(_blobs, key); // refuse keys this store cannot hold now, not at completion
        string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        string folder = Path.Combine(_uploads, id);
        var metadata = StoredMetadata(options.Metadata);
        var manifest = new UploadManifest
        {
            Key = key.Value,
            Created = _options.TimeProvider.GetUtcNow(),
            ContentType = options.ContentType,
            Metadata = metadata,
            IfMatch = options.Conditions?.IfMatch?.Value,
            IfNoneMatchAny = options.Conditions?.IfNoneMatchAny ?? false,
            DataOffset = BlobFileHeader.ReservedLength(options.ContentType, metadata),
        };
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(manifest, FileSystemJsonContext.Default.UploadManifest);
        try
        {
            Directory.CreateDirectory(folder);
            using (var data = File.OpenHandle(Path.Combine(folder, DataFileName), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete))
            {
                RandomAccess.SetLength(data, manifest.DataOffset);
            }

            File.OpenHandle(Path.Combine(folder, EntriesFileName), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete).Dispose();

            // The manifest last: a folder without one names no upload, and a sweep removes it.
            string temp = Path.Combine(folder, "manifest" + FileSystemPaths.TempSuffix);
            await File.WriteAllBytesAsync(temp, json, cancellationToken).ConfigureAwait(false);
            File.Move(temp, Path.Combine(folder, "manifest.json"), overwrite: true);
        }
        catch (Exception ex) when (FileSystemErrors.IsFileSystemError(ex))
        {
            throw FileSystemErrors.Translate(ex, "Starting a multipart upload to", key.Value, folder);
        }

        return new MultipartUpload(key, id);
    }

    /// <inheritdoc />
    public Task<UploadedPart> UploadPartAsync(MultipartUpload upload, int partNumber, Stream content, CancellationToken cancellationToken = default) =>
        TracedCall.RunAsync(Store, "multipart.upload_part", upload?.Key ?? default, async scope =>
        {
            var part = await UploadPartCoreAsync(upload!, partNumber, content, cancellationToken).ConfigureAwait(false);
            scope.SetBytes(part.Length, written: true);
            return part;
        });

    /// <summary>
    /// Writes a part into a fresh region of the data file (its length known from a seekable stream), or into a spill file
    /// of its own (a stream of unknown length), then points the part number's entry at it.
    /// </summary>
    private async Task<UploadedPart> UploadPartCoreAsync(MultipartUpload upload, int partNumber, Stream content, CancellationToken cancellationToken)
    {
        BlobStoreValidation.Upload(upload);
        BlobStoreValidation.PartNumber(partNumber);
        ArgumentNullException.ThrowIfNull(content);
        var (folder, _) = await OpenUploadAsync(upload, cancellationToken).ConfigureAwait(false);
        long? expected = content.CanSeek ? Math.Max(0, content.Length - content.Position) : null;
        string etag = BlobFileHeader.NewETag();
        string? spill = null;
        bool kept = false;
        try
        {
            using var data = await OpenDataAsync(upload, folder, exclusive: false, cancellationToken).ConfigureAwait(false);
            PartEntry entry;
            if (expected is { } length)
            {
                long offset = await AllocateAsync(upload, data, length, cancellationToken).ConfigureAwait(false);
                entry = new PartEntry { ETag = etag, Offset = offset, Length = await WriteRegionAsync(upload, partNumber, data, offset, length, content, cancellationToken).ConfigureAwait(false) };
            }
            else
            {
                // The upload's folder is never created here: when it is gone, the upload was completed, aborted or swept.
                var (file, path) = await CreateTempAsync(folder, createFolder: false, 0, cancellationToken).ConfigureAwait(false);
                spill = path;
                using (file)
                {
                    entry = new PartEntry { ETag = etag, File = Path.GetFileName(path), Length = await WriteStreamAsync(file, content, callerStream: true, cancellationToken).ConfigureAwait(false) };
                }
            }

            // Still under the data file's shared lock: a completion sees this entry only with its bytes in place.
            await WriteEntryAsync(folder, partNumber, entry, cancellationToken).ConfigureAwait(false);
            kept = true;
            return new UploadedPart(partNumber, new ETag(etag), entry.Length);
        }
        catch (CallerStreamFailure failure)
        {
            ExceptionDispatchInfo.Throw(failure.InnerException!);
            throw;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            ThrowHelper.ThrowUploadNotFound(upload);
            throw;
        }
        catch (Exception ex) when (FileSystemErrors.IsFileSystemError(ex))
        {
            throw FileSystemErrors.Translate(ex, $"Uploading part {partNumber} of upload '{upload.UploadId}' to", upload.Key.Value, spill ?? folder);
        }
        finally
        {
            if (spill is not null && !kept)
            {
                TryDelete(spill);
            }
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<UploadedPart>> ListPartsAsync(MultipartUpload upload, CancellationToken cancellationToken = default) =>
        TracedCall.RunAsync(Store, "multipart.list_parts", upload?.Key ?? default, _ => ListPartsCoreAsync(upload!, cancellationToken));

    private async Task<IReadOnlyList<UploadedPart>> ListPartsCoreAsync(MultipartUpload upload, CancellationToken cancellationToken)
    {
        BlobStoreValidation.Upload(upload);
        var (folder, _) = await OpenUploadAsync(upload, cancellationToken).ConfigureAwait(false);
        var parts = new List<UploadedPart>();
        try
        {
            foreach (var (number, entry) in await ReadEntriesAsync(folder, cancellationToken).ConfigureAwait(false))
            {
                parts.Add(new UploadedPart(number, new ETag(entry.ETag), entry.Length));
            }
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            ThrowHelper.ThrowUploadNotFound(upload);
        }
        catch (Exception ex) when (FileSystemErrors.IsFileSystemError(ex))
        {
            throw FileSystemErrors.Translate(ex, $"Listing the parts of upload '{upload.UploadId}' to", upload.Key.Value, folder);
        }

        parts.Sort(static (a, b) => a.PartNumber.CompareTo(b.PartNumber));
        return parts;
    }

    /// <inheritdoc />
    public Task<BlobProperties> CompleteMultipartUploadAsync(MultipartUpload upload, IReadOnlyList<UploadedPart> parts, CancellationToken cancellationToken = default) =>
        TracedCall.RunAsync(Store, "multipart.complete", upload?.Key ?? default, async scope =>
        {
            var properties = await CompleteMultipartUploadCoreAsync(upload!, parts, cancellationToken).ConfigureAwait(false);
            scope.Activity?.SetTag("musiclocker.bytes", properties.Length); // counted as written by the parts
            return properties;
        });

    private async Task<BlobProperties> CompleteMultipartUploadCoreAsync(MultipartUpload upload, IReadOnlyList<UploadedPart> parts, CancellationToken cancellationToken)
    {
        BlobStoreValidation.Upload(upload);
        BlobStoreValidation.CompletionParts(upload, parts);
        var (folder, manifest) = await OpenUploadAsync(upload, cancellationToken).ConfigureAwait(false);
        var spills = new List<SafeFileHandle>();
        BlobProperties properties;
        try
        {
            // The exclusive lock waits out part writes in flight and keeps new ones out until the data file is published.
            using (var data = await OpenDataAsync(upload, folder, exclusive: true, cancellationToken).ConfigureAwait(false))
            {
                var (regions, end) = await LocatePartsAsync(upload, folder, manifest, parts, data, spills, cancellationToken).ConfigureAwait(false);
                var conditions = manifest.IfMatch is not null
                    ? BlobRequestConditions.Matching(new ETag(manifest.IfMatch))
                    : manifest.IfNoneMatchAny ? BlobRequestConditions.CreateOnly : null;
                properties = end >= 0
                    && await PublishDataFileAsync(upload, folder, manifest, conditions, data, end, cancellationToken).ConfigureAwait(false) is { } renamed
                    ? renamed
                    : await PublishAsync(upload.Key, manifest.ContentType, manifest.Metadata, conditions, (file, ct) => ConcatenateAsync(file, regions, ct), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (FileSystemErrors.IsFileSystemError(ex))
        {
            throw FileSystemErrors.Translate(ex, $"Completing upload '{upload.UploadId}' to", upload.Key.Value, folder);
        }
        finally
        {
            foreach (var spill in spills)
            {
                spill.Dispose();
            }
        }

        try
        {
            RemoveUpload(folder);
        }
        catch (Exception ex) when (FileSystemErrors.IsFileSystemError(ex))
        {
            throw FileSystemErrors.Translate(ex, $"Removing completed upload '{upload.UploadId}' of", upload.Key.Value, folder);
        }

        return properties;
    }

    /// <inheritdoc />
    public Task AbortMultipartUploadAsync(MultipartUpload upload, CancellationToken cancellationToken = default) =>
        TracedCall.RunAsync(Store, "multipart.abort", upload?.Key ?? default, _ => AbortMultipartUploadCoreAsync(upload!, cancellationToken));

    private async Task AbortMultipartUploadCoreAsync(MultipartUpload upload, CancellationToken cancellationToken)
    {
        BlobStoreValidation.Upload(upload);
        cancellationToken.ThrowIfCancellationRequested();
        if (!IsUploadId(upload.UploadId))
        {
            return;
        }

        string folder = Path.Combine(_uploads, upload.UploadId);
        try
        {
            // Only the upload's own key aborts it: an id used with another key names no upload, like an id already gone.
            if (await TryReadManifestAsync(folder, cancellationToken).ConfigureAwait(false) is { } manifest && manifest.Key == upload.Key.Value)
            {
                RemoveUpload(folder);
            }
        }
        catch (Exception ex) when (FileSystemErrors.IsFileSystemError(ex))
        {
            throw FileSystemErrors.Translate(ex, $"Aborting upload '{upload.UploadId}' to", upload.Key.Value, folder);
        }
    }

    /// <summary>
    /// The regions of the listed parts, each checked against its entry's ETag, and the end of the last one when they lie
    /// end to end in the data file from the header's room (-1 when they do not: the blob is then copied together).
    /// </summary>
    private static async Task<(List<(SafeFileHandle Handle, long Offset, long Length)> Regions, long End)> LocatePartsAsync(
        MultipartUpload upload, string folder, UploadManifest manifest, IReadOnlyList<UploadedPart> parts, SafeFileHandle data, List<SafeFileHandle> spills, CancellationToken cancellationToken)
    {
        long dataLength = RandomAccess.GetLength(data);
        var regions = new List<(SafeFileHandle Handle, long Offset, long Length)>(parts.Count);
        long end = manifest.DataOffset;
        Dictionary<int, PartEntry> entries;
        try
        {
            entries = await ReadEntriesAsync(folder, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            ThrowHelper.ThrowUploadNotFound(upload);
            throw;
        }

        foreach (var part in parts)
        {
            if (!entries.TryGetValue(part.PartNumber, out var entry))
            {
                ThrowHelper.ThrowInvalidPart(upload.Key, $"Part {part.PartNumber} of upload '{upload.UploadId}' was never stored.");
            }

            if (entry.ETag != part.ETag.Value)
            {
                ThrowHelper.ThrowInvalidPart(upload.Key, $"Part {part.PartNumber} of upload '{upload.UploadId}' has ETag {entry.ETag}, not {part.ETag}: it was uploaded again since.");
            }

            if (entry.File is null)
            {
                if (entry.Offset < manifest.DataOffset || entry.Length < 0 || entry.Offset + entry.Length > dataLength)
                {
                    throw new BlobStoreException(BlobErrorCode.IntegrityCheckFailed, $"Part {part.PartNumber} of upload '{upload.UploadId}' to '{upload.Key}' points past the upload's data file ('{folder}'): the upload is damaged; abort it and upload again.", upload.Key.Value);
                }

                end = end >= 0 && entry.Offset == end ? end + entry.Length : -1;
                regions.Add((data, entry.Offset, entry.Length));
                continue;
            }

            regions.Add((OpenSpill(upload, folder, part.PartNumber, entry, spills), 0, entry.Length));
            end = -1;
        }

        return (regions, end);
    }

    private static SafeFileHandle OpenSpill(MultipartUpload upload, string folder, int partNumber, PartEntry entry, List<SafeFileHandle> spills)
    {
        string name = entry.File!;
        if (name.Length != FileSystemPaths.TempNameLength || !name.EndsWith(FileSystemPaths.TempSuffix, StringComparison.Ordinal) || name.AsSpan().ContainsAny('/', '\\'))
        {
            throw new BlobStoreException(BlobErrorCode.IntegrityCheckFailed, $"The entry of part {partNumber} of upload '{upload.UploadId}' to '{upload.Key}' names no file of the upload ('{name}'): the upload is damaged; abort it and upload again.", upload.Key.Value);
        }

        var handle = File.OpenHandle(Path.Combine(folder, name), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        spills.Add(handle);
        if (RandomAccess.GetLength(handle) < entry.Length)
        {
            throw new BlobStoreException(BlobErrorCode.IntegrityCheckFailed, $"Part {partNumber} of upload '{upload.UploadId}' to '{upload.Key}' is shorter on disk than it was stored: the upload is damaged; abort it and upload again.", upload.Key.Value);
        }

        return handle;
    }

    /// <summary>
    /// Publishes the data file itself: the header into its reserved room, one flush, then (under the key's lock, after
    /// the conditions) the file cut to the parts' end and renamed over the blob. <see langword="null"/> when the header
    /// does not fit its room (the caller copies instead).
    /// </summary>
    private async Task<BlobProperties?> PublishDataFileAsync(MultipartUpload upload, string folder, UploadManifest manifest, BlobRequestConditions? conditions, SafeFileHandle data, long end, CancellationToken cancellationToken)
    {
        var key = upload.Key;
        var header = new BlobFileHeader
        {
            ETag = BlobFileHeader.NewETag(),
            LastModified = _options.TimeProvider.GetUtcNow(),
            ContentType = manifest.ContentType,
            Metadata = StoredMetadata(manifest.Metadata),
        };
        if (header.SerializeInto(manifest.DataOffset) is not { } head)
        {
            return null;
        }

        await RandomAccess.WriteAsync(data, head, 0, cancellationToken).ConfigureAwait(false);
        if (_options.FlushToDisk)
        {
            RandomAccess.FlushToDisk(data);
        }

        string path = FileSystemPaths.BlobPath(_blobs, key);
        string dataPath = Path.Combine(folder, DataFileName);
        cancellationToken.ThrowIfCancellationRequested();
        using (await _locks.AcquireAsync(key.Value, cancellationToken).ConfigureAwait(false))
        {
            if (conditions is not null)
            {
                CheckConditions(key, conditions, await CurrentVersionAsync(path, cancellationToken).ConfigureAwait(false), path);
            }

            // Regions past the listed parts (parts sent but not listed) go; the cut is flushed with the rename's file.
            if (RandomAccess.GetLength(data) != end)
            {
                RandomAccess.SetLength(data, end);
                if (_options.FlushToDisk)
                {
                    RandomAccess.FlushToDisk(data);
                }
            }

            MoveIntoPlace(upload, dataPath, path);
        }

        return new BlobProperties(key, end - manifest.DataOffset, new ETag(header.ETag), header.LastModified, header.ContentType, header.Metadata);
    }

    /// <summary>Renames the data file over the blob, creating the blob's folder when it is missing (new, or swept as empty).</summary>
    private void MoveIntoPlace(MultipartUpload upload, string dataPath, string path)
    {
        const int MaxAttempts = 100;
        string folder = Path.GetDirectoryName(path)!;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                File.Move(dataPath, path, overwrite: true);
                return;
            }
            catch (Exception ex) when (ex is DirectoryNotFoundException or FileNotFoundException && attempt < MaxAttempts)
            {
                if (!File.Exists(dataPath))
                {
                    ThrowHelper.ThrowUploadNotFound(upload); // aborted or swept while completing: nothing was published
                }

                if (attempt > 1)
                {
                    StorageLog.FolderRaceRetried(_logger, folder, attempt, "the blob's folder was removed");
                }

                CreateFolder(folder);
            }
        }
    }

    /// <summary>
    /// Opens the upload's data file with a shared (part writes) or exclusive (completion) OS lock, waiting up to
    /// <see cref="FileSystemBlobStoreOptions.LockTimeout"/> for the other kind to let go. The file must still be the
    /// upload's after the lock is taken: a completion may have renamed it over its blob between the open and the lock.
    /// </summary>
    private async Task<SafeFileHandle> OpenDataAsync(MultipartUpload upload, string folder, bool exclusive, CancellationToken cancellationToken)
    {
        string path = Path.Combine(folder, DataFileName);
        var share = exclusive ? (OperatingSystem.IsWindows() ? FileShare.Delete : FileShare.None) : FileShare.ReadWrite | FileShare.Delete;
        long started = Environment.TickCount64;
        int delay = 1;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            SafeFileHandle handle;
            try
            {
                handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, share);
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                ThrowHelper.ThrowUploadNotFound(upload);
                throw;
            }
            catch (IOException ex) when (FileSystemErrors.IsLocked(ex))
            {
                if (Environment.TickCount64 - started > _options.LockTimeout.TotalMilliseconds)
                {
                    throw new BlobStoreException(BlobErrorCode.Unavailable, $"Upload '{upload.UploadId}' to '{upload.Key}' stayed busy for {_options.LockTimeout}: {(exclusive ? "parts were being written" : "it was being completed")}. Try again.", upload.Key.Value, ex);
                }

                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = Math.Min(delay * 2, 20);
                continue;
            }

            if (File.Exists(path))
            {
                return handle;
            }

            handle.Dispose();
            ThrowHelper.ThrowUploadNotFound(upload);
        }
    }

    /// <summary>Hands out a new region of <paramref name="length"/> bytes at the end of the data file, under the upload's lock stripe (across processes).</summary>
    private async Task<long> AllocateAsync(MultipartUpload upload, SafeFileHandle data, long length, CancellationToken cancellationToken)
    {
        using (await _locks.AcquireAsync("uploads/" + upload.UploadId, cancellationToken).ConfigureAwait(false))
        {
            long offset = RandomAccess.GetLength(data);
            RandomAccess.SetLength(data, offset + length);
            return offset;
        }
    }

    /// <summary>Copies the part into its region in aligned writes; a stream holding more than it said is refused, fewer bytes are the part.</summary>
    private async Task<long> WriteRegionAsync(MultipartUpload upload, int partNumber, SafeFileHandle data, long offset, long length, Stream content, CancellationToken cancellationToken)
    {
        using var writer = new AlignedFileWriter(data, offset, writeBack: _options.FlushToDisk);
        while (writer.Length < length)
        {
            var free = writer.Free;
            int n = await ReadSourceAsync(content, free[..(int)Math.Min(free.Length, length - writer.Length)], callerStream: true, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            await writer.AdvanceAsync(n, cancellationToken).ConfigureAwait(false);
        }

        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (writer.Length == length && await ReadSourceAsync(content, new byte[1], callerStream: true, cancellationToken).ConfigureAwait(false) > 0)
        {
            throw new BlobStoreException(BlobErrorCode.InvalidArgument, $"The stream of part {partNumber} of upload '{upload.UploadId}' to '{upload.Key}' held more bytes than its Length less its Position ({length}); nothing was stored for the part.", upload.Key.Value);
        }

        return writer.Length;
    }

    /// <summary>Writes the part's slot of the entries file (one aligned write of <see cref="EntrySlotSize"/> bytes).</summary>
    private static async Task WriteEntryAsync(string folder, int partNumber, PartEntry entry, CancellationToken cancellationToken)
    {
        byte[] slot = new byte[EntrySlotSize];
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(entry, FileSystemJsonContext.Default.PartEntry);
        if (json.Length > EntrySlotSize - 2 - EntryChecksumSize)
        {
            throw new InvalidOperationException($"A part entry of {json.Length} bytes does not fit its {EntrySlotSize}-byte slot.");
        }

        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(slot, (ushort)json.Length);
        json.CopyTo(slot, 2);
        SHA256.HashData(json).AsSpan(0, EntryChecksumSize).CopyTo(slot.AsSpan(EntrySlotSize - EntryChecksumSize));
        using var entries = File.OpenHandle(Path.Combine(folder, EntriesFileName), FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        await RandomAccess.WriteAsync(entries, slot, (long)(partNumber - 1) * EntrySlotSize, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Every part's entry, by part number. A slot that is empty, or whose checksum fails (being written by a concurrent
    /// send — read again once — or torn by a crash), names no part.
    /// </summary>
    private static async Task<Dictionary<int, PartEntry>> ReadEntriesAsync(string folder, CancellationToken cancellationToken)
    {
        using var file = File.OpenHandle(Path.Combine(folder, EntriesFileName), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        long length = Math.Min(RandomAccess.GetLength(file), (long)BlobStoreLimits.MaxPartNumber * EntrySlotSize);
        byte[] bytes = new byte[length - (length % EntrySlotSize)];
        int read = await RandomAccess.ReadAsync(file, bytes, 0, cancellationToken).ConfigureAwait(false);
        var entries = new Dictionary<int, PartEntry>();
        for (int offset = 0; offset + EntrySlotSize <= read; offset += EntrySlotSize)
        {
            var slot = bytes.AsMemory(offset, EntrySlotSize);
            if (System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(slot.Span) == 0)
            {
                continue;
            }

            var entry = ParseEntry(slot.Span);
            if (entry is null)
            {
                await RandomAccess.ReadAsync(file, slot, offset, cancellationToken).ConfigureAwait(false);
                entry = ParseEntry(slot.Span);
            }

            if (entry is not null)
            {
                entries[(offset / EntrySlotSize) + 1] = entry;
            }
        }

        return entries;
    }

    private static PartEntry? ParseEntry(ReadOnlySpan<byte> slot)
    {
        int length = System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(slot);
        if (length is 0 or > EntrySlotSize - 2 - EntryChecksumSize)
        {
            return null;
        }

        var json = slot.Slice(2, length);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(json, hash);
        if (!hash[..EntryChecksumSize].SequenceEqual(slot[^EntryChecksumSize..]))
        {
            return null;
        }

        try
        {
            var entry = JsonSerializer.Deserialize(json, FileSystemJsonContext.Default.PartEntry);
            return entry is null || string.IsNullOrEmpty(entry.ETag) ? null : entry;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Appends the parts' bodies to the file in aligned writes (<see cref="AlignedFileWriter"/>).</summary>
    private async Task<long> ConcatenateAsync(SafeFileHandle file, List<(SafeFileHandle Handle, long Offset, long Length)> parts, CancellationToken cancellationToken)
    {
        using var writer = new AlignedFileWriter(file, RandomAccess.GetLength(file), writeBack: _options.FlushToDisk);
        foreach (var (handle, dataOffset, length) in parts)
        {
            long done = 0;
            while (done < length)
            {
                var free = writer.Free;
                int want = (int)Math.Min(free.Length, length - done);
                int n = await RandomAccess.ReadAsync(handle, free[..want], dataOffset + done, cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    throw new BlobStoreException(BlobErrorCode.IntegrityCheckFailed, "A multipart part ended early while it was being joined; the upload's files are damaged.");
                }

                await writer.AdvanceAsync(n, cancellationToken).ConfigureAwait(false);
                done += n;
            }
        }

        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        return writer.Length;
    }

    /// <summary>The upload's folder and manifest, read once; an id that is not ours, or a manifest for another key, names no upload.</summary>
    private async Task<(string Folder, UploadManifest Manifest)> OpenUploadAsync(MultipartUpload upload, CancellationToken cancellationToken)
    {
        if (!IsUploadId(upload.UploadId))
        {
            ThrowHelper.ThrowUploadNotFound(upload);
        }

        string folder = Path.Combine(_uploads, upload.UploadId);
        UploadManifest? manifest;
        try
        {
            manifest = await TryReadManifestAsync(folder, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (FileSystemErrors.IsFileSystemError(ex))
        {
            throw FileSystemErrors.Translate(ex, $"Reading upload '{upload.UploadId}' to", upload.Key.Value, folder);
        }

        // An upload started by an earlier version (parts in files of their own, no data file) is not resumed.
        if (manifest is null || manifest.Key != upload.Key.Value || manifest.DataOffset <= 0)
        {
            ThrowHelper.ThrowUploadNotFound(upload);
        }

        return (folder, manifest);
    }

    /// <summary>The manifest of the upload in <paramref name="folder"/>, or <see langword="null"/> when there is none (or it is unreadable JSON).</summary>
    private static async Task<UploadManifest?> TryReadManifestAsync(string folder, CancellationToken cancellationToken)
    {
        try
        {
            var bytes = await File.ReadAllBytesAsync(Path.Combine(folder, "manifest.json"), cancellationToken).ConfigureAwait(false);
            return JsonSerializer.Deserialize(bytes, FileSystemJsonContext.Default.UploadManifest);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Ends an upload at once by renaming its folder away (one atomic step: its id names nothing from then on, so it cannot
    /// be completed twice), then deletes what was moved. What a concurrent part write leaves there, the next sweep removes.
    /// </summary>
    private void RemoveUpload(string folder)
    {
        string doomed = Path.Combine(_uploads, Path.GetFileName(folder) + "." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)) + ".removing");
        try
        {
            Directory.Move(folder, doomed);
        }
        catch (DirectoryNotFoundException)
        {
            return; // completed, aborted or swept meanwhile
        }

        try
        {
            Directory.Delete(doomed, recursive: true);
        }
        catch (IOException)
        {
            // A part write raced into it; the next sweep removes it (its name is no upload id).
        }
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

    /// <summary>Metadata as a blob's header holds it: normalized, and none when empty.</summary>
    private static Dictionary<string, string>? StoredMetadata(Dictionary<string, string>? metadata) =>
        metadata is null || metadata.Count == 0 ? null : BlobStoreValidation.NormalizeMetadata(metadata);
}
