namespace MusicLocker.Crypto;

/// <summary>What a master-key rotation did.</summary>
/// <param name="Users">User key records visited.</param>
/// <param name="KeysRewrapped">User key versions rewrapped.</param>
public readonly record struct MasterKeyRotationResult(int Users, int KeysRewrapped);
