using MusicLocker.Metadata;
using MusicLocker.Storage;

namespace MusicLocker.Internal;

/// <summary>
/// Ends what crashed uploads and deletes left behind: upload sessions idle past <see cref="MusicLockerOptions.StaleUploadAge"/>,
/// and objects under <c>users/</c> that no catalogued track, open upload or cover edit refers to and that are older than
/// that age (younger ones may belong to an upload or a cover edit between its steps).
/// </summary>
internal sealed class LockerSweeper(LockerCore core)
{
    private const int SessionBatch = 100;

    public async Task<LockerSweepResult> RunAsync(CancellationToken cancellationToken)
    {
        var cutoff = core.Time.GetUtcNow() - core.Options.StaleUploadAge;
        int stale = await SweepSessionsAsync(cutoff, cancellationToken).ConfigureAwait(false);
        int orphans = await SweepObjectsAsync(cutoff, cancellationToken).ConfigureAwait(false);
        if (core.Objects is Crypto.EncryptedBlobStore encrypted)
        {
            await encrypted.DeleteExpiredUploadClaimsAsync(cancellationToken).ConfigureAwait(false);
        }

        return new LockerSweepResult(stale, orphans);
    }

    private async Task<int> SweepSessionsAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        int count = 0;
        var seen = new HashSet<Guid>();
        while (true)
        {
            var batch = await core.Metadata.UploadSessions.ListStaleAsync(cutoff, SessionBatch, cancellationToken).ConfigureAwait(false);
            bool progressed = false;
            foreach (var session in batch)
            {
                if (!seen.Add(session.Id))
                {
                    continue;
                }

                progressed = true;
                await UploadPipeline.AbandonAsync(core, session, cancellationToken).ConfigureAwait(false);
                count++;
            }

            if (!progressed || batch.Count < SessionBatch)
            {
                return count;
            }
        }
    }

    private async Task<int> SweepObjectsAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        int removed = 0;
        string? user = null;
        References? references = null;

        // The listing is in key order, so one user's objects come together: load one user's references at a time.
        await foreach (var item in core.Raw.ListAsync(LockerKeys.UsersPrefix, cancellationToken).ConfigureAwait(false))
        {
            string key = item.Key.Value;
            string? owner = LockerKeys.UserOf(key);
            string? audioKey = LockerKeys.AudioKeyOf(key);
            bool cover = LockerKeys.IsCover(key);
            if (owner is null || (audioKey is null && !cover) || item.LastModified > cutoff)
            {
                continue;
            }

            if (!string.Equals(owner, user, StringComparison.Ordinal))
            {
                user = owner;
                references = await ReferencedKeysAsync(owner, cancellationToken).ConfigureAwait(false);
            }

            // An upload's manifest lives while its session is open; its audio and sidecar while a track or session names it.
            // A cover picture lives while a cover edit names it.
            bool live = cover ? references!.Covers.Contains(key)
                : LockerKeys.IsManifest(key) ? references!.Sessions.Contains(audioKey!) : references!.Contains(audioKey!);
            if (!live && await core.Objects.DeleteAsync(item.Key, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                removed++;
            }
        }

        return removed;
    }

    private async Task<References> ReferencedKeysAsync(string userId, CancellationToken cancellationToken)
    {
        var keys = new References();
        try
        {
            await foreach (var session in core.Metadata.UploadSessions.ListOpenAsync(userId, cancellationToken).ConfigureAwait(false))
            {
                keys.Sessions.Add(session.StorageKey);
            }

            var query = new TrackQuery { Sort = TrackSort.RecentlyAdded, PageSize = TrackQuery.MaxPageSize };
            await foreach (var track in core.Metadata.Tracks.BrowseAsync(userId, query, cancellationToken).ConfigureAwait(false))
            {
                keys.Tracks.Add(track.StorageKey);
            }

            await foreach (var cover in core.Metadata.Covers.ListStorageKeysAsync(userId, cancellationToken).ConfigureAwait(false))
            {
                keys.Covers.Add(cover);
            }

            return keys;
        }
        catch (MetadataNotFoundException)
        {
            // No such user any more (a deleted account's leftovers): nothing of theirs is referenced.
            return keys;
        }
    }

    /// <summary>The audio keys one user's open sessions and catalogued tracks name.</summary>
    private sealed class References
    {
        public HashSet<string> Sessions { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Tracks { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Covers { get; } = new(StringComparer.Ordinal);

        public bool Contains(string audioKey) => Sessions.Contains(audioKey) || Tracks.Contains(audioKey);
    }
}
