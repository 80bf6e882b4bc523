namespace MusicLocker.Crypto;

/// <summary>What a purge of retired user key versions did.</summary>
/// <param name="VersionsRemoved">Retired user key versions dropped.</param>
/// <param name="ObjectsRewrapped">Objects still under a retired version whose data key was rewrapped under the current one first.</param>
/// <param name="BytesWritten">Bytes written to the store for the rewrapped data keys.</param>
public readonly record struct UserKeyPurgeResult(int VersionsRemoved, int ObjectsRewrapped, long BytesWritten);
