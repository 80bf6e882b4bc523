namespace MusicLocker.Metadata.Quota;

/// <summary>An object found in storage, with the size the user is billed for (the plaintext size).</summary>
/// <param name="StorageKey">The key it is stored under (as recorded on tracks).</param>
/// <param name="SizeBytes">Its billable size.</param>
public sealed record StoredObject(string StorageKey, long SizeBytes);
