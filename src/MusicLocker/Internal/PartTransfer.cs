using System.Buffers;
using MusicLocker.Metadata;
using MusicLocker.Media;
using MusicLocker.Storage;

namespace MusicLocker.Internal;

/// <summary>
/// The single pass of an upload over its source. Each part is read once (the next part is read while this one is
/// worked on) and, from that one buffer: fed to the content SHA-256 on one pool thread and to the audio hash (XXH128)
/// and the stream parser (exact duration, seek index) on another, and encrypted by the caller's thread while the
/// previous part is claimed and written (<see cref="Crypto.EncryptedBlobStore.EncryptPartAsync"/>, then
/// <see cref="Crypto.EncryptedBlobStore.UploadPartAsync(Crypto.EncryptedPart, CancellationToken)"/>), unless an earlier
/// attempt stored it already (a resume). Parts are sent one at a time and in order, so a file-system store keeps them
/// end to end. The hashes take the parts in order, chained, and may lag a part behind the encryption (the content
/// SHA-256 is the pass's longest chain): three pooled part buffers — the part being encrypted, the next one being read,
/// and one whose hashes may still run. Behind the stored parts, checkpoints record in the manifest the SHA-256 of the
/// prefix stored so far and in the session the bytes stored, so another process can continue from there and refuse a
/// different file (<see cref="CheckpointBehind"/>). Nothing is allocated per byte.
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
        // Three part buffers: part n's, being encrypted (or stored); part n + 1's, being read; and one whose hashes may still
        // run (the content SHA-256 is the pass's longest chain, so it is let lag a part behind). A buffer is read into again
        // only once its part's hashes are done (`hashed`); its encryption (or store) was awaited before the next part.
        // A file shorter than a part rents only what it needs (most songs are one part), and only as many buffers as it has parts.
        int bufferSize = (int)Math.Clamp(total, 1, partSize);
        byte[][] buffers = new byte[Math.Min(3, partCount)][];
        for (int i = 0; i < buffers.Length; i++)
        {
            buffers[i] = ArrayPool<byte>.Shared.Rent(bufferSize);
        }

        Task[] hashed = [Task.CompletedTask, Task.CompletedTask, Task.CompletedTask];
        // Through the encrypted store, part n is encrypted while part n - 1 is claimed and written (`sending`); the sends
        // run one at a time, in part order, so the file-system store's regions stay in order and completion is a rename.
        var encrypted = core.Objects as Crypto.EncryptedBlobStore;
        Task<UploadedPart>? sending = null;
        long sendingEnd = 0;
        Task reading = Task.CompletedTask;
        Task hashing = Task.CompletedTask; // the last part's hashes, chained after every earlier part's
        long storedEnd = verified; // the parts stored, in order, end here (a resume's verified parts count)
        // The SHA-256 of the first `offset` bytes, for each part's offset, taken as the hasher reaches it: a checkpoint
        // names the hash of the parts stored, which the hasher may have gone past (or not reached yet) by then.
        var prefixes = new Dictionary<long, string>();

        // A part is stored: count it, and checkpoint behind the parts once the hasher has reached its end.
        void Stored(UploadedPart part, long end)
        {
            parts.Add(part);
            sentNow += part.Length;
            storedEnd = end;
            progress?.Report(Progress(end, total, sentNow, started));
            string? prefix;
            lock (prefixes)
            {
                prefixes.TryGetValue(end, out prefix);
            }

            if (prefix is not null && end < total)
            {
                CheckpointBehind(end, prefix);
            }
        }

        try
        {
            source.Position = 0;
            reading = ReadPartAsync(source, buffers[0], PartLength(1, total, partSize), cancellationToken);
            for (int number = 1; number <= partCount; number++)
            {
                long offset = (long)(number - 1) * partSize;
                int length = PartLength(number, total, partSize);
                byte[] buffer = buffers[(number - 1) % 3];
                try
                {
                    await reading.ConfigureAwait(false);
                }
                catch (EndOfStreamException ex)
                {
                    throw new LockerException(LockerErrorCode.SourceChanged, $"The file got shorter while it was being uploaded (it had {total:N0} bytes; part {number} is missing); the parts stored before it are kept.", ex);
                }
                catch (IOException ex)
                {
                    // The app's stream (or file) failed: its error, typed, with where; what is stored stays for a resume.
                    throw new LockerException(LockerErrorCode.FileUnreadable, $"Reading the file failed at part {number} (bytes {offset:N0} to {offset + length:N0} of {total:N0}): {ex.Message} The parts stored before it are kept; resume the upload to continue.", ex);
                }

                // Part n + 1 goes into part n - 2's buffer, once that part's hashes are done.
                await hashed[number % 3].ConfigureAwait(false);
                reading = number < partCount
                    ? ReadPartAsync(source, buffers[number % 3], PartLength(number + 1, total, partSize), cancellationToken)
                    : Task.CompletedTask;

                if (offset == verified && verified > 0)
                {
                    await hashing.ConfigureAwait(false);
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
                hashing = HashAfterAsync(hashing, hasher, parser, buffer, length, offset, offset > verified ? prefixes : null);
                hashed[(number - 1) % 3] = hashing;
                if (upload is not null && part is null)
                {
                    // Visible: the encrypted store encrypts straight from this buffer instead of copying the part first.
                    using var body = new MemoryStream(buffer, 0, length, writable: false, publiclyVisible: true);
                    if (encrypted is not null)
                    {
                        // Claimed at once: the claim's flush overlaps the previous part's write, which it must not precede.
                        var next = await encrypted.EncryptPartAsync(upload, number, body, cancellationToken).ConfigureAwait(false);
                        var claim = encrypted.ClaimPartAsync(next, cancellationToken);
                        try
                        {
                            if (sending is not null)
                            {
                                Stored(await sending.ConfigureAwait(false), sendingEnd);
                                sending = null;
                            }
                        }
                        catch
                        {
                            await claim.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                            next.Dispose();
                            throw;
                        }

                        sending = SendAsync(encrypted, next, claim, cancellationToken);
                        sendingEnd = offset + length;
                    }
                    else
                    {
                        Stored(await core.Objects.UploadPartAsync(upload, number, body, cancellationToken).ConfigureAwait(false), offset + length);
                    }
                }
                else
                {
                    // Stored by an earlier attempt, or (no upload) only read to check and parse.
                    if (part is not null)
                    {
                        parts.Add(part.Value);
                    }

                    progress?.Report(Progress(offset + length, total, sentNow, started));
                }
            }

            if (sending is not null)
            {
                Stored(await sending.ConfigureAwait(false), sendingEnd);
                sending = null;
            }

            await hashing.ConfigureAwait(false);
        }
        catch when (upload is not null)
        {
            // Paused (cancelled) or failed: record every part stored, so a resume sends none of them again.
            Exception? sendFailure = null;
            if (sending is not null)
            {
                await ((Task)sending).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                if (sending.IsCompletedSuccessfully)
                {
                    Stored(sending.Result, sendingEnd);
                }
                else if (sending.IsFaulted)
                {
                    sendFailure = sending.Exception.InnerException;
                }

                sending = null;
            }

            await CheckpointStoredAsync(hashing, storedEnd, hasher, prefixes).ConfigureAwait(false);
            if (sendFailure is not null)
            {
                // The store failed first (the pass went on reading and encrypting beside it): that is what the caller sees.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(sendFailure);
            }

            throw;
        }
        finally
        {
            // The hash threads, a read ahead and a send use the buffers: let them finish before the buffers go back, even on
            // failure. A read ahead not awaited yet belongs to a pass that failed already: that failure, whatever the read's
            // own error, is what the caller sees.
            if (sending is not null)
            {
                await ((Task)sending).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

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

    /// <summary>Once its claim is taken, writes an encrypted part, then lets its ciphertext go.</summary>
    private static async Task<UploadedPart> SendAsync(Crypto.EncryptedBlobStore store, Crypto.EncryptedPart part, Task claim, CancellationToken cancellationToken)
    {
        using (part)
        {
            await claim.ConfigureAwait(false);
            return await store.UploadPartAsync(part, cancellationToken).ConfigureAwait(false);
        }
    }

    private static Task ReadPartAsync(Stream source, byte[] buffer, int length, CancellationToken cancellationToken) =>
        source.ReadExactlyAsync(buffer.AsMemory(0, length), cancellationToken).AsTask();

    /// <summary>
    /// Once <paramref name="previous"/> (the earlier parts' hashes) is done: records the hash of the bytes before this part
    /// (in <paramref name="prefixes"/>, when given), then hashes it — the content hash on one pool thread, the audio hash
    /// and the stream parser on another. A failed earlier part fails this one (the hasher takes the parts in order).
    /// </summary>
    private static async Task HashAfterAsync(Task previous, FileHasher hasher, MediaStreamParser parser, byte[] buffer, int length, long offset, Dictionary<long, string>? prefixes)
    {
        await previous.ConfigureAwait(false);
        if (prefixes is not null)
        {
            string prefix = hasher.PrefixHash();
            lock (prefixes)
            {
                prefixes[offset] = prefix;
            }
        }

        await Task.WhenAll(
            Task.Run(() => hasher.AppendContent(buffer.AsSpan(0, length))),
            Task.Run(() =>
            {
                hasher.AppendAudio(buffer.AsSpan(0, length), offset);
                parser.Append(buffer.AsSpan(0, length));
            })).ConfigureAwait(false);
    }

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
    /// On a pass that stops early: once the hashes running are done, records the stored parts (up to
    /// <paramref name="storedEnd"/>) the last checkpoint does not cover, by the hash the hasher took at that offset (or its
    /// current one, when it stopped exactly there). Best effort: the pass's own failure is what the caller sees.
    /// </summary>
    private async Task CheckpointStoredAsync(Task hashing, long storedEnd, FileHasher hasher, Dictionary<long, string> prefixes)
    {
        await hashing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _checkpoint.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        string? prefixHash;
        lock (prefixes)
        {
            prefixes.TryGetValue(storedEnd, out prefixHash);
        }

        if (prefixHash is null && hashing.IsCompletedSuccessfully && hasher.Position == storedEnd)
        {
            prefixHash = hasher.PrefixHash();
        }

        if (prefixHash is null || storedEnd <= Math.Max(_checkpointed, Manifest.VerifiedBytes) || storedEnd >= Manifest.SizeBytes)
        {
            return;
        }

        try
        {
            _checkpointed = storedEnd;
            await CheckpointAsync(storedEnd, prefixHash, CancellationToken.None).ConfigureAwait(false);
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
