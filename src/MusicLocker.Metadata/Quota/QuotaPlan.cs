namespace MusicLocker.Metadata.Quota;

/// <summary>A storage plan: how many bytes of (non-purchased, non-duplicate) music a user may keep.</summary>
/// <param name="Id">The stable id stored with each user (e.g. <c>free</c>, <c>gb-20</c>); compared ordinally.</param>
/// <param name="Name">A display name (e.g. "Free 5 GB").</param>
/// <param name="LimitBytes">The quota in bytes; 0 to <see cref="MetadataLimits.MaxQuotaBytes"/>.</param>
public sealed record QuotaPlan(string Id, string Name, long LimitBytes)
{
    /// <summary>The id, validated.</summary>
    public string Id { get; } = string.IsNullOrWhiteSpace(Id) ? throw new ArgumentException("A quota plan needs a non-empty id.", nameof(Id)) : Id;

    /// <summary>The limit, validated.</summary>
    public long LimitBytes { get; } = LimitBytes is >= 0 and <= MetadataLimits.MaxQuotaBytes
        ? LimitBytes
        : throw new ArgumentOutOfRangeException(nameof(LimitBytes), LimitBytes, $"A quota plan's limit is 0 to {MetadataLimits.MaxQuotaBytes:N0} bytes.");
}
