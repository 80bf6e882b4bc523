namespace MusicLocker.Metadata.Quota;

/// <summary>The ledger's usage compared with usage recomputed from the stored objects.</summary>
/// <param name="UserId">The user.</param>
/// <param name="RecordedBytes">Usage as the ledger recorded it.</param>
/// <param name="ComputedBytes">Usage recomputed: the sizes of the stored objects that back a counted (non-purchased, first-copy) track, each object once.</param>
/// <param name="OrphanedKeys">Stored objects no track of the user refers to (not counted; candidates for sweeping).</param>
/// <param name="MissingKeys">Keys of counted tracks with no stored object.</param>
/// <param name="Applied">Whether the ledger was set to <paramref name="ComputedBytes"/>.</param>
public sealed record QuotaReconciliation(string UserId, long RecordedBytes, long ComputedBytes, IReadOnlyList<string> OrphanedKeys, IReadOnlyList<string> MissingKeys, bool Applied)
{
    /// <summary>Computed minus recorded: positive when the ledger under-counts, negative when it over-counts.</summary>
    public long DriftBytes => ComputedBytes - RecordedBytes;

    /// <summary>Whether the ledger agreed with storage.</summary>
    public bool HasDrift => DriftBytes != 0;
}
