namespace MusicLocker.Metadata;

/// <summary>An API key of a user (its secret is never stored; only its hash).</summary>
/// <param name="Id">The key's id (shown in lists, used to revoke it).</param>
/// <param name="UserId">Its owner.</param>
/// <param name="Label">What the user called it (e.g. the player it is for).</param>
/// <param name="CreatedAt">When it was issued.</param>
public sealed record ApiKeyRecord(Guid Id, string UserId, string Label, DateTimeOffset CreatedAt);
