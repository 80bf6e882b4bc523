using MusicLocker.Metadata;

namespace MusicLocker.Metadata.Quota;

/// <summary>The bytes asked for do not fit in the user's quota; nothing was reserved or charged.</summary>
public sealed class QuotaExceededException : LockerMetadataException
{
    /// <summary>Creates the error.</summary>
    public QuotaExceededException(string userId, long neededBytes, long availableBytes, long limitBytes, QuotaPlan plan)
        : base(MetadataErrorCode.QuotaExceeded, BuildMessage(userId, neededBytes, availableBytes, limitBytes, plan))
    {
        UserId = userId;
        NeededBytes = neededBytes;
        AvailableBytes = availableBytes;
        LimitBytes = limitBytes;
        Plan = plan;
    }

    /// <summary>The user.</summary>
    public string UserId { get; }

    /// <summary>The bytes the operation needed.</summary>
    public long NeededBytes { get; }

    /// <summary>The bytes that were still free (limit minus used minus reserved), at least zero.</summary>
    public long AvailableBytes { get; }

    /// <summary>The quota in force (the user's override, or the plan's limit).</summary>
    public long LimitBytes { get; }

    /// <summary>The user's plan.</summary>
    public QuotaPlan Plan { get; }

    private static string BuildMessage(string userId, long needed, long available, long limit, QuotaPlan plan) =>
        $"Quota exceeded for user '{userId}': needs {needed:N0} bytes, {available:N0} of {limit:N0} bytes are free on plan '{plan.Name}' ({plan.Id}). Free space by deleting tracks or move to a larger plan.";
}
