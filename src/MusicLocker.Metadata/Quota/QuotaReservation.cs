namespace MusicLocker.Metadata.Quota;

/// <summary>Bytes held for an upload that has not finished: commit it with the actual size, or release it.</summary>
/// <param name="Id">The reservation id.</param>
/// <param name="UserId">The user it charges.</param>
/// <param name="Bytes">The bytes held.</param>
/// <param name="CreatedAt">When it was made.</param>
/// <param name="ExpiresAt">When it stops holding quota if neither committed nor released (a crashed upload).</param>
public sealed record QuotaReservation(Guid Id, string UserId, long Bytes, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);
