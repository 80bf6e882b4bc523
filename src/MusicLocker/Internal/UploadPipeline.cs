using System.Buffers;
using MusicLocker.Metadata;
using MusicLocker.Media;
using MusicLocker.Metadata.Quota;
using MusicLocker.Storage;

namespace MusicLocker.Internal;

/// <summary>
/// One upload, start to finish (docs/architecture.md, "Locker"): probe the head → reserve → one pass over the bytes that
/// hashes (content and audio payload), parses (exact duration, seek index), encrypts and stores the parts → complete →
/// sidecar → catalogue + commit in one transaction, unless the catalog holds this audio already → session removed.
/// Dedup is decided at the catalogue step by the catalog's own rule (one track per user and audio hash, see
/// <see cref="ITrackCatalog.AddTrackIfNewAudioAsync"/>): the upload stores optimistically and, on a hit, drops what it
/// stored and releases its reservation. An app that knows the file's SHA-256 (<see cref="UploadOptions.ContentHash"/>,
/// e.g. from a scan) lets a file the locker holds already be recognised before a byte is read or stored. Each step
/// leaves either nothing visible or an open session that <see cref="ResumeAsync"/> continues and a sweep ends; a track
/// is catalogued only once every byte is stored.
/// </summary>
internal sealed class UploadPipeline(LockerCore core, string userId)
{
    private static readonly System.Buffers.SearchValues<char> HexDigits = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");

    private ILockerMetadataStore Metadata => core.Metadata;

    public Task<UploadResult> UploadAsync(Stream source, string fileName, UploadOptions options, IProgress<UploadProgress>? progress, CancellationToken cancellationToken) =>
        RunAsync(source, fileName, options, progress, resumeId: null, cancellationToken);

    public Task<UploadResult> ResumeAsync(Guid sessionId, Stream source, UploadOptions options, IProgress<UploadProgress>? progress, CancellationToken cancellationToken) =>
        RunAsync(source, fileName: null, options, progress, sessionId, cancellationToken);

    private async Task<UploadResult> RunAsync(Stream source, string? fileName, UploadOptions options, IProgress<UploadProgress>? progress, Guid? resumeId, CancellationToken cancellationToken)
    {
        string? knownHash = KnownContentHash(options);

        // 1. Probe the head (and tail): a refused file (not audio, DRM, empty, corrupt) stops here, before anything is
        //    stored or reserved. Its audio range tells the single pass which bytes the audio hash covers.
        MediaInfo probe = await core.Prober.ProbeAsync(new StreamRandomAccessSource(source, 0), cancellationToken).ConfigureAwait(false);
        long size = source.Length;
        await Metadata.Users.EnsureAsync(userId, cancellationToken: cancellationToken).ConfigureAwait(false);

        // 2. The app vouches for the file's hash: the same file in the locker already means nothing is read or stored.
        if (resumeId is null && knownHash is not null && await FindSameFileAsync(knownHash, size, cancellationToken).ConfigureAwait(false) is { } same)
        {
            return new UploadResult(LockerTrack.From(same), UploadOutcome.Duplicate);
        }

        // 3. Reserve, start the multipart upload, write the manifest, record the session (in that order: a crash between
        //    steps leaves an expiring reservation and unreferenced objects the sweep removes). From here on the source is
        //    the layout stored: the file as given, or its fast-start rewrite (a resume keeps the one it started with).
        UploadSession session;
        UploadManifest manifest;
        StoredLayout layout;
        if (resumeId is { } id)
        {
            (session, manifest) = await OpenSessionAsync(id, cancellationToken).ConfigureAwait(false);
            layout = await StoredLayout.ChooseAsync(core, source, probe, manifest.FastStart, hashSource: false, cancellationToken).ConfigureAwait(false);
            (source, probe, size) = (layout.Source, layout.Probe, layout.Source.Length);
            EnsureResumable(manifest, layout, size, id);
            fileName = manifest.FileName;
        }
        else
        {
            layout = await StoredLayout.ChooseAsync(core, source, probe, options.FastStart ?? core.Options.FastStart, knownHash is not null, cancellationToken).ConfigureAwait(false);
            (source, probe, size) = (layout.Source, layout.Probe, layout.Source.Length);
            fileName ??= "upload";
            (session, manifest) = await StartAsync(fileName, size, probe, options, layout.Decision == FastStartDecision.Rewrite, cancellationToken).ConfigureAwait(false);
        }

        var key = BlobKey.Parse(session.StorageKey);
        var upload = new MultipartUpload(key, session.MultipartUploadId!);

        // 4. The single pass: hash, parse, encrypt and store part by part. A resumed session whose multipart upload was
        //    completed already (the crash came after it) only re-reads to check and parse.
        bool completed = resumeId is not null && await core.Objects.ExistsAsync(key, cancellationToken).ConfigureAwait(false);
        var transfer = new PartTransfer(core, userId, session, manifest, LockerKeys.Manifest(key));
        var pass = await transfer.RunAsync(source, completed ? null : upload, probe, progress, cancellationToken).ConfigureAwait(false);
        session = transfer.Session;
        await EnsureSameSourceAsync(session, probe, pass, knownHash, layout.SourceHash() ?? pass.ContentHash).ConfigureAwait(false);
        await transfer.SealAsync(pass.ContentHash, pass.AudioHash, cancellationToken).ConfigureAwait(false);
        if (!completed)
        {
            await core.Objects.CompleteMultipartUploadAsync(upload, pass.Parts, cancellationToken).ConfigureAwait(false);
        }

        var info = pass.Info;
        await LockerDocuments.WriteAsync(core.Objects, LockerKeys.Info(key), StoredTrackInfo.From(info), cancellationToken).ConfigureAwait(false);

        // 5. Catalogue and commit the reservation in one transaction: the track becomes visible with all its bytes; or the
        //    catalog has this audio already (another upload got there first): drop what this one stored.
        var newTrack = new NewTrack(TagsFrom(probe.Tags, fileName), info.Duration, CodecOf(info), info.BitrateKbps, size, pass.ContentHash, pass.AudioHash, options.IsPurchased, key.Value);
        TrackAddition addition;
        try
        {
            addition = await CatalogueAsync(newTrack, session.ReservationId, cancellationToken).ConfigureAwait(false);
        }
        catch (LockerMetadataException ex) when (!ex.IsTransient)
        {
            await AbandonAsync(core, session, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        if (!addition.Added)
        {
            await AbandonAsync(core, session, CancellationToken.None).ConfigureAwait(false);
            return await SettleDuplicateAsync(addition.Track, probe, fileName, pass, source, cancellationToken).ConfigureAwait(false) with { FastStart = layout.Decision };
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

        return new UploadResult(LockerTrack.From(addition.Track), UploadOutcome.Stored) { FastStart = layout.Decision };
    }

    /// <summary>
    /// The pass saw other bytes than the probe (the head changed in between, so the audio hash may cover the wrong
    /// range) or than the app vouched for: give the upload up.
    /// </summary>
    private async Task EnsureSameSourceAsync(UploadSession session, MediaInfo probe, TransferResult pass, string? knownHash, string sourceHash)
    {
        bool sameHead = pass.Info.AudioOffset == probe.AudioOffset && pass.Info.AudioLength == probe.AudioLength;
        bool vouched = knownHash is null || string.Equals(knownHash, sourceHash, StringComparison.Ordinal);
        if (sameHead && vouched)
        {
            return;
        }

        await AbandonAsync(core, session, CancellationToken.None).ConfigureAwait(false);
        throw new LockerException(LockerErrorCode.SourceChanged, sameHead
            ? $"The file's SHA-256 is {sourceHash}, not the {knownHash} the upload was given (UploadOptions.ContentHash); the upload was given up and nothing was stored."
            : "The file changed while it was being uploaded; the upload was given up and nothing was stored.");
    }

    private static string? KnownContentHash(UploadOptions options)
    {
        if (options.ContentHash is not { } hash)
        {
            return null;
        }

        if (hash.Length != 64 || hash.AsSpan().ContainsAnyExcept(HexDigits))
        {
            LockerErrors.ThrowInvalidArgument("options.ContentHash", $"UploadOptions.ContentHash must be a SHA-256 in 64 hex digits (got {Math.Min(hash.Length, 80)} characters).");
        }

        return hash.ToLowerInvariant();
    }

    private async Task<(UploadSession Session, UploadManifest Manifest)> OpenSessionAsync(Guid sessionId, CancellationToken cancellationToken)
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

        return (session, manifest);
    }

    /// <summary>The file given to a resume must be the one the upload started with, in the layout it stores.</summary>
    private static void EnsureResumable(UploadManifest manifest, StoredLayout layout, long size, Guid sessionId)
    {
        if (manifest.FastStart && layout.Decision != FastStartDecision.Rewrite)
        {
            throw new LockerException(LockerErrorCode.SourceChanged, $"Upload {sessionId} stores the fast-start rewrite of '{manifest.FileName}', but the file given to resume it cannot be rewritten ({layout.Decision}); nothing was changed.");
        }

        if (manifest.SizeBytes != size)
        {
            throw new LockerException(LockerErrorCode.SourceChanged, $"The file given to resume upload {sessionId} has {size:N0} bytes{(manifest.FastStart ? " once fast-started" : string.Empty)}, not the {manifest.SizeBytes:N0} of the file it started with ('{manifest.FileName}'); nothing was changed.");
        }
    }

    private async Task<(UploadSession, UploadManifest)> StartAsync(string fileName, long size, MediaInfo probe, UploadOptions options, bool fastStart, CancellationToken cancellationToken)
    {
        QuotaReservation? reservation = options.IsPurchased
            ? null
            : await Metadata.Quota.ReserveAsync(userId, size, cancellationToken).ConfigureAwait(false);
        try
        {
            var key = LockerKeys.Audio(userId, Guid.NewGuid());
            var upload = await core.Objects.StartMultipartUploadAsync(key, new PutBlobOptions { ContentType = StoredTrackInfo.ContentTypeOf(probe.Container) }, cancellationToken).ConfigureAwait(false);
            var manifest = new UploadManifest(size, core.Options.PartSize, fileName) { FastStart = fastStart };
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

    private async Task<TrackAddition> CatalogueAsync(NewTrack track, Guid? reservationId, CancellationToken cancellationToken)
    {
        try
        {
            return await Metadata.Tracks.AddTrackIfNewAudioAsync(userId, track, reservationId, cancellationToken).ConfigureAwait(false);
        }
        catch (MetadataNotFoundException ex) when (ex.Entity == MetadataEntity.QuotaReservation && reservationId is not null)
        {
            // The reservation expired (a long or resumed upload): charge what is left instead, which must fit.
            return await Metadata.Tracks.AddTrackIfNewAudioAsync(userId, track, null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The catalog holds a track with this audio hash: the same file (same SHA-256) is a duplicate; another file is a
    /// retagged copy once its audio bytes are found equal to the track's, else a collision, refused.
    /// </summary>
    private async Task<UploadResult> SettleDuplicateAsync(TrackRecord existing, MediaInfo probe, string fileName, TransferResult pass, Stream source, CancellationToken cancellationToken)
    {
        if (string.Equals(existing.ContentHash, pass.ContentHash, StringComparison.Ordinal))
        {
            return new UploadResult(LockerTrack.From(existing), UploadOutcome.Duplicate);
        }

        if (!await AudioComparer.SameAudioAsync(core, existing, source, pass.Info.AudioOffset, pass.Info.AudioLength, cancellationToken).ConfigureAwait(false))
        {
            throw AudioComparer.Collision(existing, pass.AudioHash);
        }

        var updated = await Metadata.Tracks.UpdateTagsAsync(userId, existing.Id, TagsFrom(probe.Tags, fileName), cancellationToken).ConfigureAwait(false);
        return new UploadResult(LockerTrack.From(updated), UploadOutcome.Retagged);
    }

    /// <summary>The user's track with this content and size, or null.</summary>
    private async Task<TrackRecord?> FindSameFileAsync(string contentHash, long size, CancellationToken cancellationToken)
    {
        foreach (var track in await Metadata.Tracks.FindByContentHashAsync(userId, contentHash, cancellationToken).ConfigureAwait(false))
        {
            if (track.SizeBytes == size)
            {
                return track;
            }
        }

        return null;
    }

    /// <summary>
    /// The user's track with this content (and size), else the oldest with this audio payload (its bytes compared with
    /// the file's), else null (a scan's question). A track with the audio hash but other audio bytes is
    /// <see cref="LockerErrorCode.AudioHashCollision"/>: the file could not be uploaded.
    /// </summary>
    public async Task<TrackRecord?> FindExistingAsync(string contentHash, string audioHash, Stream file, MediaInfo probe, CancellationToken cancellationToken)
    {
        if (await FindSameFileAsync(contentHash, file.Length, cancellationToken).ConfigureAwait(false) is { } same)
        {
            return same;
        }

        var sameAudio = await Metadata.Tracks.FindByAudioHashAsync(userId, audioHash, cancellationToken).ConfigureAwait(false);
        foreach (var track in sameAudio)
        {
            if (await AudioComparer.SameAudioAsync(core, track, file, probe.AudioOffset, probe.AudioLength, cancellationToken).ConfigureAwait(false))
            {
                return track;
            }
        }

        return sameAudio.Count > 0 ? throw AudioComparer.Collision(sameAudio[0], audioHash) : null;
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

        if (manifest.ContentHash is null)
        {
            // Not sealed: the source was never read to the end, so nothing was catalogued.
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
}
