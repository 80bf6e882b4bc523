using System.Runtime.CompilerServices;
using MusicLocker.Metadata;

namespace MusicLocker.Internal;

/// <summary>
/// Reconciles the whole locker, one user at a time so memory stays bounded by one user's reconcile: first every user the
/// directory knows (keyset pages by user id), then the storage listing of <c>users/</c> (streamed; its keys come in
/// ordinal order, so each user's prefix is one run) for prefixes of users the directory does not know — a deleted or
/// never-created account, whose every object is an orphan. Each user is reconciled by <see cref="Reconciler"/>, which
/// leaves in-flight uploads alone (open sessions, <see cref="ReconcileOptions.MinimumAge"/>). Keys outside <c>users/</c>
/// are not the locker's and are left alone.
/// </summary>
internal sealed class LockerReconciler(LockerCore core, ReconcileOptions options, IProgress<ReconcileProgress>? progress)
{
    private const int PageSize = 100;
    private long _users;
    private long _objects;
    private long _tracks;
    private long _issues;
    private long _repaired;

    public async IAsyncEnumerable<ReconcileReport> RunAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? after = null;
        while (true)
        {
            // Inactive for zero time: every user, in user id order.
            var page = await core.Metadata.Users.ListInactiveAsync(TimeSpan.Zero, after, PageSize, cancellationToken).ConfigureAwait(false);
            foreach (var user in page)
            {
                yield return await ReconcileAsync(user.UserId, cancellationToken).ConfigureAwait(false);
            }

            if (page.Count < PageSize)
            {
                break;
            }

            after = page[^1].UserId;
        }

        string? previous = null;
        await foreach (var item in core.Raw.ListAsync(LockerKeys.UsersPrefix, cancellationToken).ConfigureAwait(false))
        {
            string? owner = LockerKeys.UserOf(item.Key.Value);
            if (owner is null || string.Equals(owner, previous, StringComparison.Ordinal))
            {
                continue;
            }

            previous = owner;
            if (!LockerKeys.IsValidUserId(owner) || await KnownAsync(owner, cancellationToken).ConfigureAwait(false))
            {
                continue; // reconciled above (or created since: its objects are young or its sessions open)
            }

            yield return await ReconcileAsync(owner, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<ReconcileReport> ReconcileAsync(string userId, CancellationToken cancellationToken)
    {
        var report = await new Reconciler(core, userId, options).RunAsync(cancellationToken).ConfigureAwait(false);
        _users++;
        _objects += report.ObjectsSeen;
        _tracks += report.TracksSeen;
        _issues += report.Issues.Count;
        _repaired += report.Issues.Count(i => i.Repaired);
        progress?.Report(new ReconcileProgress(_users, _objects, _tracks, _issues, _repaired, userId));
        return report;
    }

    private async Task<bool> KnownAsync(string userId, CancellationToken cancellationToken)
    {
        try
        {
            await core.Metadata.Users.GetAsync(userId, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (MetadataNotFoundException)
        {
            return false;
        }
    }
}
