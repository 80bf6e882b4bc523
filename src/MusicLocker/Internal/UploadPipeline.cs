using System.Buffers;
using MusicLocker.Metadata;
using MusicLocker.Media;
using MusicLocker.Metadata.Quota;
using MusicLocker.Storage;

namespace MusicLocker.Internal;

/// <summary>
/// One upload, start to finish (docs/architecture.md, "Locker"): probe → hash → dedup → reserve → multipart upload with
/// the stream parser in the same pass → complete → sidecar → catalogue + commit in one transaction → session removed.
/// Each step leaves either nothing visible or an open session that <see cref="ResumeAsync"/> continues and a sweep
/// ends; a track is catalogued only once every byte is stored.
/// </summary>
internal sealed class UploadPipeline(LockerCore core, string userId)
{
    private ILockerMetadataStore Metadata => core.Metadata;

    public Task<UploadResult> UploadAsync(Stream source, string fileName, UploadOptions options, IProgress<UploadProgress>? progress, CancellationToken cancellationToken) =>
        RunAsync(source, fileName, options, progress, resumeId: null, cancellationToken);

    public Task<UploadResult> ResumeAsync(Guid sessionId, Stream source, UploadOptions options, IProgress<UploadProgress>? progress, CancellationToken cancellationToken) =>
        RunAsync(source, fileName: null, options, progress, sessionId, cancellationToken);

    private async Task<UploadResult> RunAsync(Stream source, string? fileName, UploadOptions options, IProgress<UploadProgress>? progress, Guid? resumeId, CancellationToken cancellationToken)
    {
        // 1. Probe: a refused file (not audio, DRM, empty, corrupt) stops here, before anything is stored or reserved.
        MediaInfo probe = await core.Prober.ProbeAsync(new StreamRandomAccessSource(source, 0), cancellationToken).ConfigureAwait(false);

        // 2. Hash (a local read): the dedup decision is made before a byte is stored.
        var (contentHash, audioHash) = await FileHasher.HashAsync(source, probe.AudioOffset, probe.AudioLength, cancellationToken).ConfigureAwait(false);
        long size = source.Length;
        await Metadata.Users.EnsureAsync(userId, cancellationToken: cancellationToken).ConfigureAwait(false);

        using var gate = await core.UploadGate.EnterAsync(userId, audioHash, cancellationToken).ConfigureAwait(false);
        UploadSession? session = null;
        UploadManifest? manifest = null;
        if (resumeId is { } id)
        {
            (session, manifest) = await OpenSessionAsync(id, contentHash, size, cancellationToken).ConfigureAwait(false);
            fileName = manifest.FileName;
        }

        fileName ??= "upload";

        // 3. Same file, or same audio with other tags, already in the locker: nothing new is stored.
        if (await FindExistingAsync(contentHash, size, audioHash, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            if (session is not null)
            {
                await AbandonAsync(core, session, cancellationToken).ConfigureAwait(false);
            }

            return await SettleDuplicateAsync(existing, probe, fileName, contentHash, cancellationToken).ConfigureAwait(false);
        }

        // 4. Reserve, start the multipart upload, write the manifest, record the session (in that order: a crash between
        //    steps leaves an expiring reservation and unreferenced objects the sweep removes).
        if (session is null)
        {
            (session, manifest) = await StartAsync(fileName, size, contentHash, audioHash, probe, options, cancellationToken).ConfigureAwait(false);
        }

        var key = BlobKey.Parse(session.StorageKey);
        var upload = new MultipartUpload(key, session.MultipartUploadId!);

        // 5. Encrypt and store part by part; the stream parser sees the same bytes (exact duration, seek index).
        //    A resumed session whose multipart upload was completed already (the crash came after it) only re-reads.
        bool completed = resumeId is not null && await core.Objects.ExistsAsync(key, cancellationToken).ConfigureAwait(false);
        var transfer = new PartTransfer(core, userId, session, manifest!.PartSize);
        var (parts, info) = await transfer.RunAsync(source, completed ? null : upload, contentHash, progress, cancellationToken).ConfigureAwait(false);
        session = transfer.Session;
        if (!completed)
        {
            await core.Objects.CompleteMultipartUploadAsync(upload, parts, cancellationToken).ConfigureAwait(false);
        }

        await LockerDocuments.WriteAsync(core.Objects, LockerKeys.Info(key), StoredTrackInfo.From(info), cancellationToken).ConfigureAwait(false);

        // 6. Catalogue and commit the reservation in one transaction: the track becomes visible with all its bytes.
        var newTrack = new NewTrack(TagsFrom(probe.Tags, fileName), info.Duration, CodecOf(info), info.BitrateKbps, size, contentHash, audioHash, options.IsPurchased, key.Value);
        TrackRecord record;
        try
        {
            record = await CatalogueAsync(newTrack, session.ReservationId, cancellationToken).ConfigureAwait(false);
        }
        catch (LockerMetadataException ex) when (!ex.IsTransient)
        {
            await AbandonAsync(core, session, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        // The track is committed: tidying up after it must not fail the upload. What a failure here leaves (a session, a
        // manifest) is ended by the sweep, which sees the session's object is catalogued and keeps it.
        try
        {
            await Metadata.UploadSessions.DeleteAsync(userId, session.Id, CancellationToken.None).ConfigureAwait(false);
            await core.Objects.DeleteAsync(LockerKeys.Manifest(key), cancellationToken: CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is BlobStoreException or LockerMetadataException)
        {
        }

        return new UploadResult(LockerTrack.From(record), UploadOutcome.Stored);
    }

    private async Task<(UploadSession Session, UploadManifest Manifest)> OpenSessionAsync(Guid sessionId, string contentHash, long size, CancellationToken cancellationToken)
    {
        var session = await Metadata.UploadSessions.GetAsync(userId, sessionId, cancellationToken).ConfigureAwait(false);
        if (session.State != UploadSessionState.Open || session.MultipartUploadId is null)
        {
            throw new LockerException(LockerErrorCode.UploadNotFound, "The user has no such open upload.");
        }

        var key = BlobKey.Parse(session.StorageKey);
        UploadManifest manifest;
        try
        {
            manifest = await LockerDocuments.ReadAsync<UploadManifest>(core.Objects, LockerKeys.Manifest(key), cancellationToken).ConfigureAwait(false);
        }
        catch (BlobNotFoundException)
        {
            throw new LockerException(LockerErrorCode.UploadNotFound, "The upload's manifest is gone (the upload was swept or cancelled).");
        }

        if (!string.Equals(manifest.ContentHash, contentHash, StringComparison.Ordinal) || manifest.SizeBytes != size)
        {
            throw new LockerException(LockerErrorCode.SourceChanged, $"The file given to resume upload {sessionId} is not the file it started with ({manifest.SizeBytes:N0} bytes, SHA-256 {manifest.ContentHash}); nothing was changed.");
        }

        return (session, manifest);
    }

    private async Task<(UploadSession, UploadManifest)> StartAsync(string fileName, long size, string contentHash, string audioHash, MediaInfo probe, UploadOptions options, CancellationToken cancellationToken)
    {
        QuotaReservation? reservation = options.IsPurchased
            ? null
            : await Metadata.Quota.ReserveAsync(userId, size, cancellationToken).ConfigureAwait(false);
        try
        {
            var key = LockerKeys.Audio(userId, Guid.NewGuid());
            var upload = await core.Objects.StartMultipartUploadAsync(key, new PutBlobOptions { ContentType = StoredTrackInfo.ContentTypeOf(probe.Container) }, cancellationToken).ConfigureAwait(false);
            var manifest = new UploadManifest(contentHash, audioHash, size, core.Options.PartSize, fileName);
            await LockerDocuments.WriteAsync(core.Objects, LockerKeys.Manifest(key), manifest, cancellationToken).ConfigureAwait(false);
            var session = await Metadata.UploadSessions.CreateAsync(userId, new NewUploadSession(key.Value, TrimName(fileName), size, reservation?.Id, upload.UploadId), cancellationToken).ConfigureAwait(false);
            return (session, manifest);
        }
        catch when (reservation is not null)
        {
            await Metadata.Quota.ReleaseAsync(userId, reservation.Id, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    private async Task<TrackRecord> CatalogueAsync(NewTrack track, Guid? reservationId, CancellationToken cancellationToken)
    {
        try
        {
            return await Metadata.Tracks.AddTrackAsync(userId, track, reservationId, cancellationToken).ConfigureAwait(false);
        }
        catch (MetadataNotFoundException ex) when (ex.Entity == MetadataEntity.QuotaReservation && reservationId is not null)
        {
            // The reservation expired (a long or resumed upload): charge what is left instead, which must fit.
            return await Metadata.Tracks.AddTrackAsync(userId, track, null, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<UploadResult> SettleDuplicateAsync(ExistingAudio existing, MediaInfo probe, string fileName, string contentHash, CancellationToken cancellationToken)
    {
        if (string.Equals(existing.Track.ContentHash, contentHash, StringComparison.Ordinal))
        {
            return new UploadResult(LockerTrack.From(existing.Track), UploadOutcome.Duplicate);
        }

        var updated = await Metadata.Tracks.UpdateTagsAsync(userId, existing.Track.Id, TagsFrom(probe.Tags, fileName), cancellationToken).ConfigureAwait(false);
        return new UploadResult(LockerTrack.From(updated), UploadOutcome.Retagged);
    }

    /// <summary>The user's track with this content (and size), else one with this audio payload, else null.</summary>
    public async Task<ExistingAudio?> FindExistingAsync(string contentHash, long size, string audioHash, CancellationToken cancellationToken)
    {
        foreach (var track in await Metadata.Tracks.FindByContentHashAsync(userId, contentHash, cancellationToken).ConfigureAwait(false))
        {
            if (track.SizeBytes == size)
            {
                return new ExistingAudio(track);
            }
        }

        // The catalog has no audio-hash index yet: stream through the user's tracks (keyset-paged, newest first).
        var query = new TrackQuery { Sort = TrackSort.RecentlyAdded, PageSize = TrackQuery.MaxPageSize };
        await foreach (var track in Metadata.Tracks.BrowseAsync(userId, query, cancellationToken).ConfigureAwait(false))
        {
            if (string.Equals(track.AudioHash, audioHash, StringComparison.Ordinal))
            {
                return new ExistingAudio(track);
            }
        }

        return null;
    }

    /// <summary>Gives up a session: aborts its parts, releases its reservation, removes its manifest, object and record.</summary>
    public static async Task AbandonAsync(LockerCore core, UploadSession session, CancellationToken cancellationToken)
    {
        var key = BlobKey.Parse(session.StorageKey);
        if (session.MultipartUploadId is { } uploadId)
        {
            try
            {
                await core.Objects.AbortMultipartUploadAsync(new MultipartUpload(key, uploadId), cancellationToken).ConfigureAwait(false);
            }
            catch (BlobStoreException)
            {
                // The parts are ciphertext nobody references; the object store's own sweep of stale uploads removes them.
            }
        }

        if (session.ReservationId is { } reservation)
        {
            await core.Metadata.Quota.ReleaseAsync(session.UserId, reservation, cancellationToken).ConfigureAwait(false);
        }

        if (!await IsCataloguedAsync(core, session.UserId, key, cancellationToken).ConfigureAwait(false))
        {
            await core.Objects.DeleteAsync(key, cancellationToken: cancellationToken).ConfigureAwait(false);
            await core.Objects.DeleteAsync(LockerKeys.Info(key), cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        await core.Objects.DeleteAsync(LockerKeys.Manifest(key), cancellationToken: cancellationToken).ConfigureAwait(false);
        await core.Metadata.UploadSessions.DeleteAsync(session.UserId, session.Id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether a track of the user refers to <paramref name="key"/> (found by the manifest's content hash).</summary>
    private static async Task<bool> IsCataloguedAsync(LockerCore core, string userId, BlobKey key, CancellationToken cancellationToken)
    {
        UploadManifest manifest;
        try
        {
            manifest = await LockerDocuments.ReadAsync<UploadManifest>(core.Objects, LockerKeys.Manifest(key), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is BlobStoreException or LockerException)
        {
            // No manifest (or no key to read it): the manifest is written before the session, and removed only after
            // the session, so the upload never got as far as the catalog.
            return false;
        }

        foreach (var track in await core.Metadata.Tracks.FindByContentHashAsync(userId, manifest.ContentHash, cancellationToken).ConfigureAwait(false))
        {
            if (string.Equals(track.StorageKey, key.Value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    internal static TrackTags TagsFrom(AudioTags tags, string fileName)
    {
        string title = string.IsNullOrWhiteSpace(tags.Title) ? Path.GetFileNameWithoutExtension(fileName) : tags.Title;
        if (string.IsNullOrWhiteSpace(title))
        {
            title = "Untitled";
        }

        return new TrackTags(
            Clip(title)!,
            Clip(tags.Artist),
            Clip(tags.Album),
            Clip(tags.AlbumArtist),
            Clip(tags.Genre),
            tags.Year is > 0 ? tags.Year : null,
            tags.TrackNumber is > 0 ? tags.TrackNumber : null,
            tags.TrackCount is > 0 ? tags.TrackCount : null,
            tags.DiscNumber is > 0 ? tags.DiscNumber : null,
            tags.DiscCount is > 0 ? tags.DiscCount : null,
            ClipComment(tags.Comment),
            tags.Compilation);
    }

    private static string? Clip(string? text) => Clean(text, MetadataLimits.MaxTagLength);

    private static string? ClipComment(string? text) => Clean(text, MetadataLimits.MaxCommentLength);

    // Tags come from the file: drop what the catalog refuses (NUL, unpaired surrogates) and cut to its limit, rather
    // than refusing a playable file for a tag.
    private static string? Clean(string? text, int max)
    {
        if (text is null)
        {
            return null;
        }

        var builder = new System.Text.StringBuilder(Math.Min(text.Length, max));
        for (int i = 0; i < text.Length && builder.Length < max; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                if (builder.Length + 2 > max)
                {
                    break;
                }

                builder.Append(c).Append(text[++i]);
            }
            else if (!char.IsSurrogate(c) && c != '\0')
            {
                builder.Append(c);
            }
        }

        string result = builder.ToString().Trim();
        return result.Length == 0 ? null : result;
    }

    private static string TrimName(string fileName)
    {
        string name = Path.GetFileName(fileName);
        return Clean(name.Length == 0 ? "upload" : name, MetadataLimits.MaxTagLength) ?? "upload";
    }

    private static string CodecOf(MediaInfo info) => info.Codec == AudioCodec.Mp3 ? "mp3" : "aac";

    internal sealed record ExistingAudio(TrackRecord Track);
}
