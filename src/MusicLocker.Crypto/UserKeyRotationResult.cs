namespace MusicLocker.Crypto;

/// <summary>What a user-key rotation did.</summary>
/// <param name="NewVersion">The user key version now current.</param>
/// <param name="ObjectsRewrapped">Objects whose data key was rewrapped (a small record each; no object bytes were read or written).</param>
/// <param name="BytesWritten">Bytes written to the store for the rewrapped data keys.</param>
public readonly record struct UserKeyRotationResult(int NewVersion, int ObjectsRewrapped, long BytesWritten);
