using Microsoft.Extensions.Logging;

namespace MusicLocker.Crypto;

/// <summary>
/// Options of a <see cref="LocalKeyRing"/> (bindable from configuration). <see cref="LocalKeyRing.OpenAsync(LocalKeyRingOptions, CancellationToken)"/>
/// and <see cref="LocalKeyRing.CreateAsync(LocalKeyRingOptions, CancellationToken)"/> copy and check them; later changes
/// to this object have no effect on the ring.
/// </summary>
public sealed class LocalKeyRingOptions
{
    /// <summary>The key ring file (owner-only, in a folder group and others cannot write to).</summary>
    public string Path { get; set; } = string.Empty;

    /// <summary>The clock that stamps new master keys (the system clock by default).</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Where the ring logs added and removed master key versions (nothing is logged by default). Key material is never logged.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }
}
