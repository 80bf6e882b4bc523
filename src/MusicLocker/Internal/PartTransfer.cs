using System.Buffers;
using MusicLocker.Metadata;
using MusicLocker.Media;
using MusicLocker.Storage;

namespace MusicLocker.Internal;

/// <summary>
/// The single pass of an upload over its source. Each part is read once (the next part is read while this one is
/// worked on) and, from that one buffer and at the same time: fed to the content SHA-256 on one thread, to the audio
/// SHA-256 and the stream parser (exact duration, seek index) on another, and encrypted and stored by the caller's
/// thread, unless an earlier attempt stored it already (a resume). After each stored part the manifest records the
/// SHA-256 of the prefix read so far and the session the bytes stored, so another process can continue from there and
/// refuse a different file. Two pooled part buffers; nothing is allocated per byte.
/// </summary>
internal sealed class PartTransfer(LockerCore core, string userId, UploadSession session, UploadManifest manifest, BlobKey manifestKey)
{
    public UploadSession Session { get; private set; } = session;

    public UploadManifest Manifest { get; private set; } = manifest;

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
        byte[][] buffers = [ArrayPool<byte>.Shared.Rent(partSize), ArrayPool<byte>.Shared.Rent(partSize)];
        Task reading = Task.CompletedTask;
        try
        {
            source.Position = 0;
            reading = ReadPartAsync(source, buffers[0], PartLength(1, total, partSize), cancellationToken);
            for (int number = 1; number <= partCount; number++)
            {
                long offset = (long)(number - 1) * partSize;
                int length = PartLength(number, total, partSize);
                byte[] buffer = buffers[(number - 1) & 1];
                await reading.ConfigureAwait(false);
                reading = number < partCount
                    ? ReadPartAsync(source, buffers[number & 1], PartLength(number + 1, total, partSize), cancellationToken)
                    : Task.CompletedTask;

                if (offset == verified && verified > 0)
                {
                    VerifyPrefix(hasher, verified);
                }

                var hashing = HashAsync(hasher, parser, buffer, length, offset);
                UploadedPart? part = null;
                try
                {
                    if (upload is not null && number <= reusable)
                    {
                        part = stored.TryGetValue(number, out var previous) && previous.Length == length
                            ? previous
                            : throw new LockerException(LockerErrorCode.UploadNotFound, $"Part {number} of the upload is no longer in the store; cancel the upload and upload the file again.");
                    }
                    else if (upload is not null)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        // Visible: the encrypted store encrypts straight from this buffer instead of copying the part first.
                        using var body = new MemoryStream(buffer, 0, length, writable: false, publiclyVisible: true);
                        part = await core.Objects.UploadPartAsync(upload, number, body, cancellationToken).ConfigureAwait(false);
                        sentNow += length;
                    }
                }
                finally
                {
                    // The hash threads read the buffer: let them finish before it is reused or returned, even on failure.
                    await hashing.ConfigureAwait(false);
                }

                long done = offset + length;
                if (part is not null)
                {
                    parts.Add(part.Value);
                    if (number > reusable)
                    {
                        await CheckpointAsync(done, hasher.PrefixHash(), cancellationToken).ConfigureAwait(false);
                    }
                }

                progress?.Report(Progress(done, total, sentNow, started));
            }
        }
        finally
        {
            await Drain(reading).ConfigureAwait(false);
            ArrayPool<byte>.Shared.Return(buffers[0], clearArray: true);
            ArrayPool<byte>.Shared.Return(buffers[1], clearArray: true);
        }

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

    private static async Task Drain(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or EndOfStreamException)
        {
            // A read-ahead of a pass that failed already: that failure is what the caller sees.
        }
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
