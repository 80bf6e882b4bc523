using System.Buffers;
using MusicLocker.Metadata;
using MusicLocker.Media;
using MusicLocker.Storage;

namespace MusicLocker.Internal;

/// <summary>
/// The single pass of an upload over its source: each part is read once, fed to the content hash and the stream parser,
/// and stored unless an earlier attempt stored it already (a resume); the session records the bytes stored after each
/// part, so another process can continue from there.
/// </summary>
internal sealed class PartTransfer(LockerCore core, string userId, UploadSession session, int partSize)
{
    public UploadSession Session { get; private set; } = session;

    /// <summary>Reads the source once; stores its parts in <paramref name="upload"/>, or (null) only parses and hashes it because its object is complete already.</summary>
    public async Task<(IReadOnlyList<UploadedPart> Parts, MediaInfo Info)> RunAsync(Stream source, MultipartUpload? upload, string contentHash, IProgress<UploadProgress>? progress, CancellationToken cancellationToken)
    {
        long total = source.Length;
        int partCount = (int)Math.Max(1, (total + partSize - 1) / partSize);
        var stored = await StoredPartsAsync(upload, cancellationToken).ConfigureAwait(false);
        var parser = core.Prober.CreateStreamParser();
        using var hasher = new FileHasher(0, 0);
        var parts = new List<UploadedPart>(partCount);
        long started = core.Time.GetTimestamp();
        long sentNow = 0;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(partSize);
        try
        {
            source.Position = 0;
            for (int number = 1; number <= partCount; number++)
            {
                int length = (int)Math.Min(partSize, total - ((long)(number - 1) * partSize));
                await source.ReadExactlyAsync(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                parser.Append(buffer.AsSpan(0, length));
                hasher.Append(buffer.AsSpan(0, length));
                long done = ((long)(number - 1) * partSize) + length;
                if (upload is null)
                {
                    // Nothing to store: the pass only parses and hashes.
                }
                else if (stored.TryGetValue(number, out var previous) && previous.Length == length)
                {
                    parts.Add(previous);
                }
                else
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    using var body = new MemoryStream(buffer, 0, length, writable: false);
                    parts.Add(await core.Objects.UploadPartAsync(upload, number, body, cancellationToken).ConfigureAwait(false));
                    sentNow += length;
                    await RecordProgressAsync(done, cancellationToken).ConfigureAwait(false);
                }

                progress?.Report(Progress(done, total, sentNow, started));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
        }

        if (!string.Equals(hasher.Finish().Content, contentHash, StringComparison.Ordinal))
        {
            // The bytes changed under us: the stored parts mix two files. Give the upload up.
            await UploadPipeline.AbandonAsync(core, Session, CancellationToken.None).ConfigureAwait(false);
            throw new LockerException(LockerErrorCode.SourceChanged, "The file changed while it was being uploaded; the upload was given up and nothing was stored.");
        }

        return (parts, parser.Complete());
    }

    private async Task<Dictionary<int, UploadedPart>> StoredPartsAsync(MultipartUpload? upload, CancellationToken cancellationToken)
    {
        var stored = new Dictionary<int, UploadedPart>();
        if (upload is null || Session.ReceivedBytes == 0)
        {
            return stored;
        }

        foreach (var part in await core.Objects.ListPartsAsync(upload, cancellationToken).ConfigureAwait(false))
        {
            stored[part.PartNumber] = part;
        }

        return stored;
    }

    private async Task RecordProgressAsync(long received, CancellationToken cancellationToken)
    {
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
