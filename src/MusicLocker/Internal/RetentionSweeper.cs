using MusicLocker.Diagnostics;

namespace MusicLocker.Internal;

/// <summary>
/// Retention: walks the users idle for at least <c>RetentionPeriod − RetentionWarningLead</c> (keyset pages by user id).
/// An unwarned one is warned: the notice is claimed (one conditional write with a lease: of several sweeping instances
/// one sends it, and a sender that crashed is taken over later), the app's <see cref="IRetentionNotifier"/> is called, and
/// only then is the user marked warned; a notifier that throws is logged and its claim released, so the next sweep sends
/// again. A warned one idle for the whole period, whose warning is at least the lead old, is claimed (another conditional
/// write with a lease) and deleted through <see cref="UserAccount"/>: key first, resumable. Every time is the metadata
/// store's clock, so instances agree whatever their own clocks say.
/// </summary>
internal sealed class RetentionSweeper(LockerCore core)
{
    private const int PageSize = 100;

    /// <summary>How long a claimed deletion may run before another sweep takes it over.</summary>
    private static readonly TimeSpan ClaimLease = TimeSpan.FromHours(1);

    public async Task<RetentionSweepResult> RunAsync(CancellationToken cancellationToken)
    {
        var period = core.Options.RetentionPeriod;
        var warned = new List<RetentionWarning>();
        var undelivered = new List<RetentionWarning>();
        var deleted = new List<AccountDeletionReport>();
        var users = core.Metadata.Users;
        string? after = null;
        while (true)
        {
            var page = await users.ListInactiveAsync(period - core.Options.RetentionWarningLead, after, PageSize, cancellationToken).ConfigureAwait(false);
            foreach (var user in page)
            {
                if (user.RetentionWarnedAt is null)
                {
                    if (await WarnAsync(user, cancellationToken).ConfigureAwait(false) is { } warning)
                    {
                        (warning.Delivered ? warned : undelivered).Add(warning.Warning);
                    }
                }
                else if (await users.TryClaimRetentionDeletionAsync(user.UserId, period, core.Options.RetentionWarningLead, ClaimLease, cancellationToken).ConfigureAwait(false))
                {
                    LockerLog.RetentionDeleting(core.Logger, user.UserId, user.LastActiveAt);
                    deleted.Add(await new UserAccount(core, user.UserId).DeleteAsync(cancellationToken).ConfigureAwait(false));
                }
            }

            if (page.Count < PageSize)
            {
                break;
            }

            after = page[^1].UserId;
        }

        LockerLog.RetentionSwept(core.Logger, warned.Count, deleted.Count);
        return new RetentionSweepResult(warned, deleted) { Undelivered = undelivered };
    }

    /// <summary>Claims, sends and records one warning; null when another sweep holds it or the user came back.</summary>
    private async Task<(RetentionWarning Warning, bool Delivered)?> WarnAsync(Metadata.InactiveUser user, CancellationToken cancellationToken)
    {
        var users = core.Metadata.Users;
        var lead = core.Options.RetentionWarningLead;
        if (!await users.TryClaimRetentionNoticeAsync(user.UserId, core.Options.RetentionPeriod - lead, ClaimLease, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var warning = new RetentionWarning(user.UserId, user.LastActiveAt, Later(user.LastActiveAt + core.Options.RetentionPeriod, core.Time.GetUtcNow() + lead));
        if (core.Options.RetentionNotifier is { } notifier)
        {
            try
            {
                await notifier.NotifyAsync(warning, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) // the app's code: logged, and the next sweep tries again; the rest of this sweep goes on
            {
                // Released whatever happened (not with the sweep's token), so a stopped sweep does not hold the notice for a whole lease.
                await users.CompleteRetentionNoticeAsync(user.UserId, delivered: false, CancellationToken.None).ConfigureAwait(false);
                if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
                {
                    throw;
                }

                LockerLog.RetentionNoticeFailed(core.Logger, ex, user.UserId);
                return (warning, false);
            }
        }

        // Recorded after the notifier returned (not cancelled: the user has been told). False when the user came back
        // meanwhile: no warning stands.
        if (!await users.CompleteRetentionNoticeAsync(user.UserId, delivered: true, CancellationToken.None).ConfigureAwait(false))
        {
            return null;
        }

        LockerLog.RetentionWarned(core.Logger, user.UserId, user.LastActiveAt, warning.DeletionDueAt);
        return (warning, true);
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
