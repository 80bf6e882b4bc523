namespace MusicLocker;

/// <summary>
/// Tells a user that their account will be deleted for inactivity (an e-mail, a push message). Called by
/// <see cref="ILocker.SweepRetentionAsync"/> once per account and idle spell, whichever instance sweeps: the account is
/// marked warned only after this returns, and its deletion comes at least <see cref="MusicLockerOptions.RetentionWarningLead"/>
/// later. Set it in <see cref="MusicLockerOptions.RetentionNotifier"/> or register it in the container.
/// </summary>
/// <remarks>
/// A call that throws is logged (EventId 6033) and retried by the next sweep; the account is not deleted until a
/// warning was delivered, and the other accounts of the sweep go on. A sender that crashes mid-call is taken over by a
/// sweep an hour later, so after a crash a warning may come twice: (<see cref="RetentionWarning.UserId"/>,
/// <see cref="RetentionWarning.LastActiveAt"/>) names the idle spell, for an app that wants to drop the repeat.
/// </remarks>
public interface IRetentionNotifier
{
    /// <summary>Sends the warning. Return only once it is handed over; throw to have the next sweep try again.</summary>
    Task NotifyAsync(RetentionWarning warning, CancellationToken cancellationToken);
}
