using System.Data.Common;

namespace MusicLocker.Metadata.Sql;

/// <summary>
/// A schema migration both providers run once: before file identity was hash and size, an upload was charged nothing
/// when the user had any track with its content hash, even a smaller file or a purchased one, so a database written
/// then can hold uploaded files that nobody pays for. For every (user, hash, size) group of uploaded tracks with no
/// counted member, the oldest member takes its size as its charge and the user's usage grows by it. A user may end up
/// over quota (nothing is deleted; they cannot reserve more until they remove tracks or change plan).
/// </summary>
internal static class LegacyChargeRepair
{
    public static async Task RunAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        var unpaid = await connection.Sql(transaction,
                "SELECT t.id, t.user_id, t.size_bytes FROM tracks t WHERE t.is_purchased = FALSE AND t.charged_bytes = 0 AND t.size_bytes > 0 " +
                "AND NOT EXISTS (SELECT 1 FROM tracks o WHERE o.user_id = t.user_id AND o.content_hash = t.content_hash AND o.size_bytes = t.size_bytes " +
                "AND o.is_purchased = FALSE AND (o.charged_bytes > 0 OR o.added_at < t.added_at OR (o.added_at = t.added_at AND o.id < t.id)))")
            .ListAsync(static r => (Id: r.GetGuid(0), UserId: r.GetString(1), Size: r.GetInt64(2)), cancellationToken).ConfigureAwait(false);
        foreach (var (id, userId, size) in unpaid)
        {
            // Sizes were not capped then either: charge at most the cap, and leave a usage already near the top as it is.
            long charge = Math.Min(size, MetadataLimits.MaxSizeBytes);
            await connection.Sql(transaction, "UPDATE tracks SET charged_bytes = @c WHERE id = @id")
                .With("c", charge).With("id", id).ExecAsync(cancellationToken).ConfigureAwait(false);
            await connection.Sql(transaction,
                    "UPDATE locker_users SET used_bytes = CASE WHEN used_bytes > @max - @c THEN used_bytes ELSE used_bytes + @c END WHERE user_id = @u")
                .With("c", charge).With("max", MetadataLimits.MaxQuotaBytes).With("u", userId).ExecAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
