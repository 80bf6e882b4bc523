using MusicLocker.Diagnostics;
using MusicLocker.Metadata;
using MusicLocker.Storage;

namespace MusicLocker.Internal;

/// <summary>
/// Reconciles one user: the storage listing of <c>users/{id}/</c> and the catalog ordered by storage key are both streamed
/// in ordinal key order and merged (neither is loaded whole), then the ledger's counters are checked against the database's
/// sums and the reservations against the open uploads. In-flight uploads are never drift: whatever an open upload session
/// (snapshotted first) names, and any object or reservation younger than <see cref="ReconcileOptions.MinimumAge"/>, is left
/// alone; a track reported without its object is first looked up again, since an upload may have finished behind the listing.
/// </summary>
internal sealed class Reconciler(LockerCore core, string userId, ReconcileOptions options)
{
    private readonly List<ReconcileIssue> _issues = [];
    private readonly HashSet<string> _sessionKeys = new(StringComparer.Ordinal);
    private readonly HashSet<Guid> _sessionReservations = [];
    private DateTimeOffset _cutoff;
    private long _objects;
    private long _tracks;

    // The catalog side of the merge.
    private IAsyncEnumerator<TrackRecord> _catalog = null!;
    private IAsyncEnumerator<string> _covers = null!;
    private string? _nextCover;
    private TrackRecord? _next;
    private string? _lastCatalogKey;

    // The last audio object seen, and whether something refers to it (its sidecar lives with it).
    private string? _lastAudio;
    private bool _lastAudioLive;

    public async Task<ReconcileReport> RunAsync(CancellationToken cancellationToken)
    {
        _cutoff = core.Time.GetUtcNow() - options.MinimumAge;
        bool userExists = await SnapshotSessionsAsync(cancellationToken).ConfigureAwait(false);
        await MergeAsync(cancellationToken).ConfigureAwait(false);
        if (userExists)
        {
            await CheckReservationsAsync(cancellationToken).ConfigureAwait(false);
            await CheckLedgerAsync(cancellationToken).ConfigureAwait(false);
        }

        int repaired = _issues.Count(i => i.Repaired);
        LockerLog.Reconciled(core.Logger, userId, _issues.Count, repaired);
        return new ReconcileReport(userId, _objects, _tracks, _issues);
    }

    private async Task<bool> SnapshotSessionsAsync(CancellationToken cancellationToken)
    {
        try
        {
            await core.Metadata.Users.GetAsync(userId, cancellationToken).ConfigureAwait(false);
            await foreach (var session in core.Metadata.UploadSessions.ListOpenAsync(userId, cancellationToken).ConfigureAwait(false))
            {
                _sessionKeys.Add(session.StorageKey);
                if (session.ReservationId is { } reservation)
                {
                    _sessionReservations.Add(reservation);
                }
            }

            return true;
        }
        catch (MetadataNotFoundException)
        {
            return false; // a deleted account's leftovers: every object is an orphan
        }
    }

    private async Task MergeAsync(CancellationToken cancellationToken)
    {
        _catalog = core.Metadata.Tracks.ListByStorageKeyAsync(userId, cancellationToken).GetAsyncEnumerator(cancellationToken);
        _covers = core.Metadata.Covers.ListStorageKeysAsync(userId, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (_catalog.ConfigureAwait(false))
        await using (_covers.ConfigureAwait(false))
        {
            _nextCover = await _covers.MoveNextAsync().ConfigureAwait(false) ? _covers.Current : null;
            await AdvanceCatalogAsync().ConfigureAwait(false);
            string? previous = null;
            await foreach (var item in core.Raw.ListAsync(LockerKeys.UserPrefix(userId), cancellationToken).ConfigureAwait(false))
            {
                string key = item.Key.Value;
                RequireOrder(previous, key, "storage listing");
                previous = key;
                _objects++;
                await DrainCatalogBeforeAsync(key, cancellationToken).ConfigureAwait(false);
                await VisitObjectAsync(item, key, cancellationToken).ConfigureAwait(false);
            }

            await DrainCatalogBeforeAsync(null, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task VisitObjectAsync(BlobItem item, string key, CancellationToken cancellationToken)
    {
        string? audio = LockerKeys.AudioKeyOf(key);
        bool live;
        if (LockerKeys.IsCover(key))
        {
            live = await MatchCoverAsync(key).ConfigureAwait(false);
        }
        else if (audio is null)
        {
            live = false; // nothing the locker writes lives there
        }
        else if (LockerKeys.IsManifest(key))
        {
            live = _sessionKeys.Contains(audio);
        }
        else if (string.Equals(audio, key, StringComparison.Ordinal))
        {
            live = await MatchTracksAsync(key, cancellationToken).ConfigureAwait(false) || _sessionKeys.Contains(key);
            _lastAudio = key;
            _lastAudioLive = live;
        }
        else
        {
            // A sidecar sorts right after its file: it lives with the file, or with a catalogued track whose file is gone.
            live = (string.Equals(_lastAudio, audio, StringComparison.Ordinal) && _lastAudioLive)
                || string.Equals(_lastCatalogKey, audio, StringComparison.Ordinal)
                || _sessionKeys.Contains(audio);
        }

        if (live || item.LastModified > _cutoff)
        {
            return; // referenced, or young enough to be an upload between its steps
        }

        bool repaired = options.Repair && await core.Objects.DeleteAsync(item.Key, cancellationToken: cancellationToken).ConfigureAwait(false);
        Report(ReconcileIssueKind.ObjectWithoutTrack, key, $"{item.Length} bytes, last modified {item.LastModified:o}; no track or open upload refers to it", repaired);
    }

    /// <summary>Whether a cover edit names the picture at <paramref name="key"/> (both sides in ordinal order, merged).</summary>
    private async Task<bool> MatchCoverAsync(string key)
    {
        while (_nextCover is { } cover && string.CompareOrdinal(cover, key) < 0)
        {
            // A cover edit naming a picture the listing does not hold (a replaced picture's delete racing this run, or a
            // lost object): its reader gets not-found; nothing here to repair.
            _nextCover = await _covers.MoveNextAsync().ConfigureAwait(false) ? _covers.Current : null;
        }

        return string.Equals(_nextCover, key, StringComparison.Ordinal);
    }

    /// <summary>Consumes the catalogued tracks stored at <paramref name="key"/>; checks the file's size against the first.</summary>
    private async Task<bool> MatchTracksAsync(string key, CancellationToken cancellationToken)
    {
        bool matched = false;
        while (_next is { } track && string.Equals(track.StorageKey, key, StringComparison.Ordinal))
        {
            if (!matched)
            {
                long size = (await core.Objects.GetPropertiesAsync(BlobKey.Parse(key), cancellationToken).ConfigureAwait(false)).Length;
                if (size != track.SizeBytes)
                {
                    Report(ReconcileIssueKind.SizeMismatch, track.Id.ToString(), $"catalogued {track.SizeBytes} bytes, stored {size} bytes at {key}", false);
                }
            }

            matched = true;
            await AdvanceCatalogAsync().ConfigureAwait(false);
        }

        return matched;
    }

    /// <summary>Every catalogued track ordered before <paramref name="key"/> (all, when null) had no object in the listing.</summary>
    private async Task DrainCatalogBeforeAsync(string? key, CancellationToken cancellationToken)
    {
        while (_next is { } track && (key is null || string.CompareOrdinal(track.StorageKey, key) < 0))
        {
            await TrackWithoutObjectAsync(track, cancellationToken).ConfigureAwait(false);
            await AdvanceCatalogAsync().ConfigureAwait(false);
        }
    }

    private async Task TrackWithoutObjectAsync(TrackRecord track, CancellationToken cancellationToken)
    {
        var key = BlobKey.Parse(track.StorageKey);
        try
        {
            // Looked up again: an upload that finished behind the listing is not drift.
            await core.Raw.GetPropertiesAsync(key, cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (BlobNotFoundException)
        {
        }

        bool repaired = false;
        if (options.Repair && options.RemoveTracksWithoutObjects)
        {
            try
            {
                await core.Metadata.Tracks.RemoveTrackAsync(userId, track.Id, cancellationToken).ConfigureAwait(false);
                repaired = true;
            }
            catch (MetadataNotFoundException)
            {
                repaired = true; // removed by someone else meanwhile
            }
        }

        Report(ReconcileIssueKind.TrackWithoutObject, track.Id.ToString(), $"catalogued at {track.StorageKey} ({track.SizeBytes} bytes); no object is stored there", repaired);
    }

    private async Task AdvanceCatalogAsync()
    {
        if (_next is not null)
        {
            _lastCatalogKey = _next.StorageKey;
        }

        _next = await _catalog.MoveNextAsync().ConfigureAwait(false) ? _catalog.Current : null;
        if (_next is not null)
        {
            _tracks++;
            RequireOrder(_lastCatalogKey, _next.StorageKey, "catalog", allowEqual: true);
        }
    }

    private async Task CheckReservationsAsync(CancellationToken cancellationToken)
    {
        foreach (var reservation in await core.Metadata.Quota.ListReservationsAsync(userId, cancellationToken).ConfigureAwait(false))
        {
            if (_sessionReservations.Contains(reservation.Id) || reservation.CreatedAt > _cutoff)
            {
                continue; // an upload's, or young enough to be one whose session is being created
            }

            bool repaired = options.Repair && await core.Metadata.Quota.ReleaseAsync(userId, reservation.Id, cancellationToken).ConfigureAwait(false);
            Report(ReconcileIssueKind.LeakedReservation, reservation.Id.ToString(), $"{reservation.Bytes} bytes held since {reservation.CreatedAt:o}, until {reservation.ExpiresAt:o}; no open upload owns it", repaired);
        }
    }

    private async Task CheckLedgerAsync(CancellationToken cancellationToken)
    {
        var check = await core.Metadata.Quota.CheckUsageAsync(userId, options.Repair, cancellationToken).ConfigureAwait(false);
        if (check.RecordedUsedBytes != check.ChargedBytes)
        {
            Report(ReconcileIssueKind.ChargeMismatch, "quota", $"the ledger records {check.RecordedUsedBytes} bytes used; the tracks are charged {check.ChargedBytes}", check.Repaired);
        }

        if (check.RecordedReservedBytes != check.ReservationBytes)
        {
            Report(ReconcileIssueKind.ReservedMismatch, "quota", $"the ledger records {check.RecordedReservedBytes} bytes reserved; the reservations hold {check.ReservationBytes}", check.Repaired);
        }
    }

    private void Report(ReconcileIssueKind kind, string subject, string detail, bool repaired)
    {
        _issues.Add(new ReconcileIssue(kind, subject, detail, repaired));
        LockerLog.Drift(core.Logger, userId, kind, subject, detail, repaired);
    }

    /// <summary>The merge is only right if both sides come in ordinal key order; anything else is a store bug, not drift.</summary>
    private static void RequireOrder(string? previous, string key, string side, bool allowEqual = false)
    {
        int order = previous is null ? -1 : string.CompareOrdinal(previous, key);
        if (order > 0 || (order == 0 && !allowEqual))
        {
            throw new LockerException(LockerErrorCode.Inconsistent, $"The {side} is not in ordinal key order ('{previous}' before '{key}'); reconcile cannot merge it.");
        }
    }
}
