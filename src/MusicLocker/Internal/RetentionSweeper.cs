using MusicLocker.Diagnostics;

namespace MusicLocker.Internal;

/// <summary>
/// Retention: walks the users idle for at least <c>RetentionPeriod − RetentionWarningLead</c> (keyset pages by user id).
/// An unwarned one is warned (one conditional write: of several sweeping instances exactly one wins and reports it); a
/// warned one idle for the whole period, whose warning is at least the lead old, is claimed (one conditional write with a
/// lease, so a crashed deletion is taken over later) and deleted through <see cref="UserAccount"/>: key first, resumable.
/// Every time is the metadata store's clock, so instances agree whatever their own clocks say.
/// </summary>
internal sealed class RetentionSweeper(LockerCore core)
{
    private const int PageSize = 100;

    /// <summary>How long a claimed deletion may run before another sweep takes it over.</summary>
    private static readonly TimeSpan ClaimLease = TimeSpan.FromHours(1);

    public async Task<RetentionSweepResult> RunAsync(CancellationToken cancellationToken)
    {
        var period = core.Options.RetentionPeriod;
        var lead = core.Options.RetentionWarningLead;
        var warned = new List<RetentionWarning>();
        var deleted = new List<AccountDeletionReport>();
        var users = core.Metadata.Users;
        string? after = null;
        while (true)
        {
            var page = await users.ListInactiveAsync(period - lead, after, PageSize, cancellationToken).ConfigureAwait(false);
            foreach (var user in page)
            {
                if (user.RetentionWarnedAt is null)
                {
                    if (await users.TryMarkRetentionWarnedAsync(user.UserId, period - lead, cancellationToken).ConfigureAwait(false))
                    {
                        var due = Later(user.LastActiveAt + period, core.Time.GetUtcNow() + lead);
                        warned.Add(new RetentionWarning(user.UserId, user.LastActiveAt, due));
                        LockerLog.RetentionWarned(core.Logger, user.UserId, user.LastActiveAt, due);
                    }
                }
                else if (await users.TryClaimRetentionDeletionAsync(user.UserId, period, lead, ClaimLease, cancellationToken).ConfigureAwait(false))
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
        return new RetentionSweepResult(warned, deleted);
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
