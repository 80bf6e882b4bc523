using Microsoft.Extensions.Logging;

namespace MusicLocker.Crypto;

/// <summary>
/// Options of a <see cref="UserKeyManager"/>. The manager copies and checks them when it is created; later changes to
/// this object have no effect on it.
/// </summary>
public sealed class UserKeyManagerOptions
{
    /// <summary>How long unwrapped user keys stay cached (5 minutes by default; zero disables the cache). A key destroyed by another instance is noticed within this time.</summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The clock of the cache and of key records (the system clock by default).</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Where the manager logs rotations, destructions and requests for destroyed keys (nothing is logged by default). Key material is never logged.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }
}
