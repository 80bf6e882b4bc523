using System.Security.Cryptography;

namespace MusicLocker.Crypto;

/// <summary>An unwrapped user key version: the holder's own copy, zeroed by <see cref="Dispose"/>.</summary>
internal readonly record struct UserKey(int Version, byte[] Material) : IDisposable
{
    public void Dispose() => CryptographicOperations.ZeroMemory(Material);
}
