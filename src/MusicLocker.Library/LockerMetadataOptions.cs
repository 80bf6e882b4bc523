using MusicLocker.Quota;

namespace MusicLocker.Library;

/// <summary>What every metadata store needs besides its connection: plans, reservation lifetime and a clock.</summary>
public class LockerMetadataOptions
{
    /// <summary>The plans users are on; <see cref="QuotaPlanCatalog.Default"/> unless the app sells its own.</summary>
    public QuotaPlanCatalog Plans { get; set; } = QuotaPlanCatalog.Default;

    /// <summary>How long a reservation holds quota before it expires (a crashed upload). Default one hour.</summary>
    public TimeSpan ReservationLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The clock for added/played times and reservation expiry; <see cref="TimeProvider.System"/> by default.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// The storage key prefix a user owns (default <see cref="DefaultStorageKeyPrefix"/>: <c>users/{userId}/</c>). The one
    /// ownership rule: a track or upload session may only name a storage key under its user's prefix, and deleting an
    /// account returns only keys under it. A custom rule must give every user a prefix no other user's prefix starts with.
    /// </summary>
    public Func<string, string> StorageKeyPrefix { get; set; } = DefaultStorageKeyPrefix;

    /// <summary><c>users/{userId}/</c>: user ids never contain <c>/</c>, so no user's prefix lies inside another's.</summary>
    public static string DefaultStorageKeyPrefix(string userId) => "users/" + userId + "/";

    /// <summary>Throws when an option is out of range.</summary>
    /// <exception cref="ArgumentException">An option is missing or out of range.</exception>
    public virtual void Validate()
    {
        if (Plans is null)
        {
            throw new ArgumentException("Plans must be set.", nameof(Plans));
        }

        if (StorageKeyPrefix is null)
        {
            throw new ArgumentException("StorageKeyPrefix must be set.", nameof(StorageKeyPrefix));
        }

        if (TimeProvider is null)
        {
            throw new ArgumentException("TimeProvider must be set.", nameof(TimeProvider));
        }

        if (ReservationLifetime <= TimeSpan.Zero)
        {
            throw new ArgumentException($"ReservationLifetime must be positive (got {ReservationLifetime}).", nameof(ReservationLifetime));
        }
    }
}
