using System.Buffers;
using MusicLocker.Metadata;
using MusicLocker.Media;
using MusicLocker.Storage;

namespace MusicLocker.Internal;

/// <summary>
/// The single pass of an upload over its source. Each part is read once (the next part is read while this one is
/// worked on) and, from that one buffer and at the same time: fed to the content SHA-256 on one thread, to the audio
/// SHA-256 and the stream parser (exact duration, seek index) on another, and encrypted and stored by the caller's
/// thread, unless an earlier attempt stored it already (a resume). Two pooled part buffers: the part being hashed and
/// stored, and the next one being read. The next part's store waits for this part's hashes (the hasher takes the parts
/// in order, and a checkpoint names the hash of the parts stored); they usually end first. Behind the stored parts,
/// checkpoints record in the manifest the SHA-256 of the prefix stored so far and in the session the bytes stored, so
/// another process can continue from there and refuse a different file (<see cref="CheckpointBehind"/>). Nothing
/// is allocated per byte.
/// </summary>
internal sealed class PartTransfer(LockerCore core, string userId, UploadSession session, UploadManifest manifest, BlobKey manifestKey)
{
    public UploadSession Session { get; private set; } = session;

    public UploadManifest Manifest { get; private set; } = manifest;

    // The checkpoint being written behind the parts (CheckpointBehind) and where the last one started ends; the pass
    // drains it before it returns.
    private Task _checkpoint = Task.CompletedTask;
    private long _checkpointed;
    private long _checkpointStarted;

    /// <summary>How often, at most, a pass records its progress while it runs (the first stored part is recorded at once).</summary>
    internal static readonly TimeSpan CheckpointInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Reads the source once; stores its parts in <paramref name="upload"/>, or (null) only parses and hashes it because
    /// its object is complete already. A source whose prefix (or, read to the end, whole content) is not the one the
    /// manifest recorded is refused with <see cref="LockerErrorCode.SourceChanged"/> before anything is stored.
    /// </summary>
    public async Task<TransferResult> RunAsync(Stream source, MultipartUpload? upload, MediaInfo probe, IProgress<UploadProgress>? progress, CancellationToken cancellationToken)
    {
        long total = source.Length;
        int partSize = Manifest.PartSize;
        int partCount = (int)Math.Max(1, (total + partSize - 1) / partSize);

        // Only parts under the manifest's checkpoint are known to hold this file's bytes; later ones are sent again.
        long verified = Manifest.PrefixHash is null ? 0 : Manifest.VerifiedBytes;
        int reusable = verified >= total ? partCount : (int)(verified / partSize);
        var stored = await StoredPartsAsync(upload, reusable, cancellationToken).ConfigureAwait(false);
        var parser = core.Prober.CreateStreamParser();
        using var hasher = new FileHasher(probe.AudioOffset, probe.AudioLength);
        var parts = new List<UploadedPart>(partCount);
        long started = core.Time.GetTimestamp();
        long sentNow = 0;
        // Two part buffers: part n's, hashed and stored at once, and part n + 1's, read meanwhile. Part n + 1 is read into
        // part n - 1's buffer only after part n - 1's store and hashes are done (both are awaited before the read starts).
        byte[][] buffers = [ArrayPool<byte>.Shared.Rent(partSize), ArrayPool<byte>.Shared.Rent(partSize)];
        Task reading = Task.CompletedTask;
        Task hashing = Task.CompletedTask;
        long hashingEnd = 0; // where the bytes fed to the hasher end once `hashing` is done
        long storedEnd = verified; // the parts stored, in order, end here (a resume's verified parts count)
        (long End, string Hash)? storedPrefix = null; // the hash of the parts stored, taken before the next part's hashes start
        try
        {
            source.Position = 0;
            reading = ReadPartAsync(source, buffers[0], PartLength(1, total, partSize), cancellationToken);
            for (int number = 1; number <= partCount; number++)
            {
                long offset = (long)(number - 1) * partSize;
                int length = PartLength(number, total, partSize);
                byte[] buffer = buffers[(number - 1) % 2];
                try
                {
                    await reading.ConfigureAwait(false);
                }
                catch (EndOfStreamException ex)
                {
                    throw new LockerException(LockerErrorCode.SourceChanged, $"The file got shorter while it was being uploaded (it had {total:N0} bytes; part {number} is missing); the parts stored before it are kept.", ex);
                }

                // The hasher takes the parts in order, and a checkpoint names the hash of the bytes stored: both wait for the
                // previous part's hashes. The buffer read next was part n - 1's, whose hashes and store are then done.
                await hashing.ConfigureAwait(false);
                if (storedEnd == offset && offset > verified)
                {
                    // No hash is running (the previous part's were awaited just above). Kept for a pass that stops while this
                    // part is stored: by then this part's hashes will have gone past the stored parts.
                    storedPrefix = (offset, hasher.PrefixHash());
                    CheckpointBehind(offset, storedPrefix.Value.Hash);
                }

                reading = number < partCount
                    ? ReadPartAsync(source, buffers[number % 2], PartLength(number + 1, total, partSize), cancellationToken)
                    : Task.CompletedTask;

                if (offset == verified && verified > 0)
                {
                    VerifyPrefix(hasher, verified);
                }

                UploadedPart? part = null;
                if (upload is not null && number <= reusable)
                {
                    part = stored.TryGetValue(number, out var previous) && previous.Length == length
                        ? previous
                        : throw new LockerException(LockerErrorCode.UploadNotFound, $"Part {number} of the upload is no longer in the store; cancel the upload and upload the file again.");
                }

                cancellationToken.ThrowIfCancellationRequested();
                hashing = HashAsync(hasher, parser, buffer, length, offset);
                hashingEnd = offset + length;
                if (upload is not null && part is null)
                {
                    // Visible: the encrypted store encrypts straight from this buffer instead of copying the part first.
                    using var body = new MemoryStream(buffer, 0, length, writable: false, publiclyVisible: true);
                    part = await core.Objects.UploadPartAsync(upload, number, body, cancellationToken).ConfigureAwait(false);
                    sentNow += length;
                    storedEnd = offset + length;
                }

                long done = offset + length;
                if (part is not null)
                {
                    parts.Add(part.Value);
                }

                progress?.Report(Progress(done, total, sentNow, started));
            }

            await hashing.ConfigureAwait(false);
        }
        catch when (upload is not null)
        {
            // Paused (cancelled) or failed: record every part stored, so a resume sends none of them again.
            await CheckpointStoredAsync(hashing, hashingEnd, storedEnd, hasher, storedPrefix).ConfigureAwait(false);
            throw;
        }
        finally
        {
            // The hash threads and a read ahead use the buffers: let them finish before the buffers go back, even on failure.
            // A read ahead not awaited yet belongs to a pass that failed already: that failure, whatever the read's own
            // error, is what the caller sees.
            await reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await hashing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            // Let a checkpoint being written finish; its failure (if the pass got this far) is thrown below.
            await _checkpoint.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            foreach (var buffer in buffers)
            {
                ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
            }
        }

        await _checkpoint.ConfigureAwait(false); // a checkpoint that failed fails the pass, as it did when written in line
        var (content, audio) = hasher.Finish();
        if (verified >= total && !string.Equals(content, Manifest.PrefixHash, StringComparison.Ordinal))
        {
            ThrowSourceChanged(total);
        }

        return new TransferResult(parts, parser.Complete(), content, audio);
    }

    /// <summary>Records that the source was read to the end (both hashes): a resume after this only re-reads to check.</summary>
    public async Task SealAsync(string contentHash, string audioHash, CancellationToken cancellationToken)
    {
        if (Manifest.ContentHash is null)
        {
            Manifest = Manifest with { VerifiedBytes = Manifest.SizeBytes, PrefixHash = contentHash, AudioHash = audioHash };
            await LockerDocuments.WriteAsync(core.Objects, manifestKey, Manifest, cancellationToken).ConfigureAwait(false);
        }
    }

    private static int PartLength(int number, long total, int partSize) => (int)Math.Min(partSize, total - ((long)(number - 1) * partSize));

    private static Task ReadPartAsync(Stream source, byte[] buffer, int length, CancellationToken cancellationToken) =>
        source.ReadExactlyAsync(buffer.AsMemory(0, length), cancellationToken).AsTask();

    /// <summary>The content hash on one pool thread, the audio hash and the stream parser on another.</summary>
    private static Task HashAsync(FileHasher hasher, MediaStreamParser parser, byte[] buffer, int length, long offset) =>
        Task.WhenAll(
            Task.Run(() => hasher.AppendContent(buffer.AsSpan(0, length))),
            Task.Run(() =>
            {
                hasher.AppendAudio(buffer.AsSpan(0, length), offset);
                parser.Append(buffer.AsSpan(0, length));
            }));

    private void VerifyPrefix(FileHasher hasher, long verified)
    {
        if (!string.Equals(hasher.PrefixHash(), Manifest.PrefixHash, StringComparison.Ordinal))
        {
            ThrowSourceChanged(verified);
        }
    }

    private void ThrowSourceChanged(long bytes) =>
        throw new LockerException(LockerErrorCode.SourceChanged, $"The file given to resume upload {Session.Id} is not the file it started with (its first {bytes:N0} bytes differ from the {Manifest.SizeBytes:N0}-byte file '{Manifest.FileName}'); nothing was changed.");

    private async Task<Dictionary<int, UploadedPart>> StoredPartsAsync(MultipartUpload? upload, int reusable, CancellationToken cancellationToken)
    {
        var stored = new Dictionary<int, UploadedPart>();
        if (upload is null || reusable == 0)
        {
            return stored;
        }

        foreach (var part in await core.Objects.ListPartsAsync(upload, cancellationToken).ConfigureAwait(false))
        {
            stored[part.PartNumber] = part;
        }

        return stored;
    }

    /// <summary>
    /// Starts recording that the first <paramref name="received"/> bytes are stored, behind the parts: the pass goes on
    /// with the next part while the manifest and the session are written. A checkpoint still being written when the next
    /// part is stored is not queued behind: the one after covers those bytes too; and after the first, checkpoints come
    /// at most every <see cref="CheckpointInterval"/>. So a slow source checkpoints after every part or two and a fast one
    /// once a second, and the pass never waits on a small flushed write — 20 of them (a manifest put and a session update
    /// each, whose flushes queue with the parts' own) cost a 100 MB upload to the file-system store more than its
    /// encryption. A pass that stops early (a pause, a failure) records every part it stored
    /// (<see cref="CheckpointStoredAsync"/>); after a crash, a resume sends the parts past the last checkpoint again. The
    /// last part is not checkpointed: sealing the manifest (<see cref="SealAsync"/>) records the whole file right after it.
    /// </summary>
    private void CheckpointBehind(long received, string prefixHash)
    {
        if (!_checkpoint.IsCompleted || (_checkpointed > 0 && core.Time.GetElapsedTime(_checkpointStarted) < CheckpointInterval))
        {
            return;
        }

        _checkpoint.GetAwaiter().GetResult(); // completed: a failed one fails the pass here
        _checkpointStarted = core.Time.GetTimestamp();
        _checkpointed = received;

        // Not the caller's token: a pause (cancellation) lets the checkpoint of stored parts finish, so a resume keeps them.
        _checkpoint = Task.Run(() => CheckpointAsync(received, prefixHash, CancellationToken.None));
    }

    /// <summary>
    /// On a pass that stops early: once the hashes running are done, records the stored parts the last checkpoint does
    /// not cover: all of them when the hasher has read exactly them, else (it went on into the part whose store stopped
    /// the pass) those <paramref name="storedPrefix"/> hashed (best effort: the pass's own failure is what the caller sees).
    /// </summary>
    private async Task CheckpointStoredAsync(Task hashing, long hashingEnd, long storedEnd, FileHasher hasher, (long End, string Hash)? storedPrefix)
    {
        await hashing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _checkpoint.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var (end, prefixHash) = hashing.IsCompletedSuccessfully && hashingEnd == storedEnd
            ? (storedEnd, hasher.PrefixHash())
            : storedPrefix ?? (0, string.Empty);
        if (end <= Math.Max(_checkpointed, Manifest.VerifiedBytes) || end >= Manifest.SizeBytes)
        {
            return;
        }

        try
        {
            _checkpointed = end;
            await CheckpointAsync(end, prefixHash, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is BlobStoreException or LockerMetadataException or LockerException)
        {
        }
    }

    /// <summary>The manifest first (the prefix hash a resume checks), then the session (the bytes a listing shows).</summary>
    private async Task CheckpointAsync(long received, string prefixHash, CancellationToken cancellationToken)
    {
        Manifest = Manifest with { VerifiedBytes = received, PrefixHash = prefixHash };
        await LockerDocuments.WriteAsync(core.Objects, manifestKey, Manifest, cancellationToken).ConfigureAwait(false);
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                Session = await core.Metadata.UploadSessions.UpdateAsync(userId, Session.Id, new UploadSessionUpdate(ReceivedBytes: received), Session.Version, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (MetadataConflictException) when (attempt < 3)
            {
                // Another process touched the session (a racing resume); take its version and record ours on top.
                Session = await core.Metadata.UploadSessions.GetAsync(userId, Session.Id, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private UploadProgress Progress(long done, long total, long sentNow, long started)
    {
        double seconds = core.Time.GetElapsedTime(started).TotalSeconds;
        double rate = seconds > 0 ? sentNow / seconds : 0;
        TimeSpan? eta = rate > 0 ? TimeSpan.FromSeconds((total - done) / rate) : null;
        return new UploadProgress(done, total, rate, eta);
    }
}

/// <summary>What the single pass produced: the stored parts, the parsed stream, and both hashes.</summary>
internal sealed record TransferResult(IReadOnlyList<UploadedPart> Parts, MediaInfo Info, string ContentHash, string AudioHash);
