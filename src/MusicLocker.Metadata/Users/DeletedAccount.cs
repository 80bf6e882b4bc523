namespace MusicLocker.Metadata;

/// <summary>What deleting an account removed.</summary>
/// <param name="UserId">The user.</param>
/// <param name="TrackCount">The tracks removed from the catalog.</param>
/// <param name="StorageKeys">Every storage key the user's tracks and upload sessions referred to, each once, in ordinal order: the caller deletes these blobs.</param>
public sealed record DeletedAccount(string UserId, int TrackCount, IReadOnlyList<string> StorageKeys);
