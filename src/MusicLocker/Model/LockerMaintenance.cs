namespace MusicLocker;

/// <summary>What a maintenance sweep removed.</summary>
/// <param name="StaleUploads">Upload sessions given up (their reservations released, their parts and objects removed).</param>
/// <param name="OrphanObjects">Stored objects no catalogued track or open upload refers to.</param>
public readonly record struct LockerSweepResult(int StaleUploads, int OrphanObjects);

/// <summary>What deleting an account did.</summary>
/// <param name="UserId">The user.</param>
/// <param name="KeyDestroyed">Whether the user's key is destroyed (crypto-shredding; <see langword="false"/> only in an unencrypted locker).</param>
/// <param name="ObjectsDeleted">Stored objects removed by this call.</param>
/// <param name="TracksDeleted">Catalogued tracks removed by this call.</param>
/// <param name="Verified">Whether the verification pass found no object, no catalog row and no usable key of the user.</param>
public sealed record AccountDeletionReport(string UserId, bool KeyDestroyed, int ObjectsDeleted, int TracksDeleted, bool Verified);
