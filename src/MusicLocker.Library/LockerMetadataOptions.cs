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

    /// <summary>Throws when an option is out of range.</summary>
    /// <exception cref="ArgumentException">An option is missing or out of range.</exception>
    public virtual void Validate()
    {
        if (Plans is null)
        {
            throw new ArgumentException("Plans must be set.", nameof(Plans));
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
