namespace MusicLocker.Crypto;

/// <summary>
/// The stored state of one user's key: its wrapped versions (by the master key) and which is current — or, once
/// destroyed, a tombstone with no key material that no writer can replace with a new key.
/// </summary>
public sealed class UserKeyRecord
{
    /// <summary>Creates a record.</summary>
    public UserKeyRecord(int currentVersion, IReadOnlyList<WrappedUserKey> versions, DateTimeOffset? destroyedAt = null)
    {
        ArgumentNullException.ThrowIfNull(versions);
        if (destroyedAt is null && !versions.Any(v => v.Version == currentVersion))
        {
            throw new ArgumentException($"The current version {currentVersion} is not among the record's versions.", nameof(currentVersion));
        }

        CurrentVersion = currentVersion;
        Versions = versions;
        DestroyedAt = destroyedAt;
    }

    /// <summary>The version new data keys are wrapped under.</summary>
    public int CurrentVersion { get; }

    /// <summary>The wrapped versions still kept (retired ones stay until purged, see <see cref="WrappedUserKey.RetiredAt"/>).</summary>
    public IReadOnlyList<WrappedUserKey> Versions { get; }

    /// <summary>When the key was destroyed, or <see langword="null"/> while it lives.</summary>
    public DateTimeOffset? DestroyedAt { get; }

    /// <summary>Whether the key was destroyed.</summary>
    public bool IsDestroyed => DestroyedAt is not null;

    /// <summary>A tombstone: no key material, only the time of destruction.</summary>
    public static UserKeyRecord Tombstone(DateTimeOffset destroyedAt) => new(0, [], destroyedAt);

    internal WrappedUserKey? Find(int version)
    {
        foreach (var v in Versions)
        {
            if (v.Version == version)
            {
                return v;
            }
        }

        return null;
    }
}
