namespace MusicLocker;

/// <summary>An account warned that it will be deleted for inactivity (see <see cref="IRetentionNotifier"/>).</summary>
/// <param name="UserId">The user.</param>
/// <param name="LastActiveAt">When the user last used the locker.</param>
/// <param name="DeletionDueAt">The earliest moment a retention sweep deletes the account if it stays unused.</param>
public sealed record RetentionWarning(string UserId, DateTimeOffset LastActiveAt, DateTimeOffset DeletionDueAt);

/// <summary>What a retention sweep did. Each account is warned once and deleted once, however many instances sweep.</summary>
/// <param name="Warned">Accounts this sweep warned (no other sweep reports them again until they are used and fall idle anew).</param>
/// <param name="Deleted">Accounts this sweep deleted for inactivity.</param>
public sealed record RetentionSweepResult(IReadOnlyList<RetentionWarning> Warned, IReadOnlyList<AccountDeletionReport> Deleted)
{
    /// <summary>
    /// Warnings the <see cref="MusicLockerOptions.RetentionNotifier"/> failed to send (logged; the next sweep sends them
    /// again, and these accounts are not deleted before a warning was delivered).
    /// </summary>
    public IReadOnlyList<RetentionWarning> Undelivered { get; init; } = [];
}
