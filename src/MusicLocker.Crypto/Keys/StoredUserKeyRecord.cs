using MusicLocker.Storage;

namespace MusicLocker.Crypto;

/// <summary>A user key record and the version tag it was read at (for a conditional replace).</summary>
/// <param name="Record">The record.</param>
/// <param name="ETag">Its version tag.</param>
public sealed record StoredUserKeyRecord(UserKeyRecord Record, ETag ETag);
