namespace MusicLocker.Library;

/// <summary>A per-user key, wrapped (encrypted) by a master key; the store never sees it in the clear.</summary>
/// <param name="UserId">The user.</param>
/// <param name="KeyId">The key's id, unique per user.</param>
/// <param name="WrappedKey">The wrapped key bytes.</param>
/// <param name="MasterKeyId">The id of the master key that wrapped it.</param>
/// <param name="CreatedAt">When it was stored.</param>
public sealed record UserKeyRecord(string UserId, string KeyId, ReadOnlyMemory<byte> WrappedKey, string MasterKeyId, DateTimeOffset CreatedAt);
