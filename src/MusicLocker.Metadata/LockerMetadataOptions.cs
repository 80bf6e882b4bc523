using Microsoft.Extensions.Logging;
using MusicLocker.Metadata.Quota;

namespace MusicLocker.Metadata;

/// <summary>
/// What every metadata store needs besides its connection: plans, reservation lifetime, a clock, the ownership rule and
/// a logger factory. A store copies and validates these when it opens; later changes to this object have no effect on it.
/// </summary>
public class LockerMetadataOptions
{
    /// <summary>The plans users are on; <see cref="QuotaPlanCatalog.Default"/> unless the app sells its own.</summary>
    public QuotaPlanCatalog Plans { get; set; } = QuotaPlanCatalog.Default;

    /// <summary>How long a reservation holds quota before it expires (a crashed upload). Default one hour.</summary>
    public TimeSpan ReservationLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The clock for added/played times and reservation expiry; <see cref="TimeProvider.System"/> by default.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Where the store logs (EventIds 4000–4999, see docs/telemetry.md); <see langword="null"/> logs nothing.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>
    /// The storage key prefix a user owns (default <see cref="DefaultStorageKeyPrefix"/>: <c>users/{userId}/</c>). The one
    /// ownership rule: a track or upload session may only name a storage key under its user's prefix, and deleting an
    /// account returns only keys under it. A custom rule must give every user a prefix no other user's prefix starts with.
    /// </summary>
    public Func<string, string> StorageKeyPrefix { get; set; } = DefaultStorageKeyPrefix;

    /// <summary><c>users/{userId}/</c>: user ids never contain <c>/</c>, so no user's prefix lies inside another's.</summary>
    public static string DefaultStorageKeyPrefix(string userId) => "users/" + userId + "/";

    /// <summary>Throws when an option is missing or out of range (the parameter name is <c>options.{Option}</c>).</summary>
    /// <exception cref="ArgumentNullException">A required option is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public virtual void Validate()
    {
        ArgumentNullException.ThrowIfNull(Plans, "options.Plans");
        ArgumentNullException.ThrowIfNull(StorageKeyPrefix, "options.StorageKeyPrefix");
        ArgumentNullException.ThrowIfNull(TimeProvider, "options.TimeProvider");
        if (ReservationLifetime <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException("options.ReservationLifetime", ReservationLifetime, "ReservationLifetime must be positive.");
        }
    }
}
