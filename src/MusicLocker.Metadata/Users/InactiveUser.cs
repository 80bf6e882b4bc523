namespace MusicLocker.Metadata;

/// <summary>A user whose locker has not been used for a while (see <see cref="IUserDirectory.ListInactiveAsync"/>).</summary>
/// <param name="UserId">The user.</param>
/// <param name="LastActiveAt">When the user last used the locker (recorded at most once per interval the caller chose).</param>
/// <param name="RetentionWarnedAt">When the user was warned that the account will be deleted for inactivity, or <see langword="null"/>.</param>
public sealed record InactiveUser(string UserId, DateTimeOffset LastActiveAt, DateTimeOffset? RetentionWarnedAt);
