using System.Data.Common;
using MusicLocker.Metadata.Sql.Diagnostics;

namespace MusicLocker.Metadata.Sql;

/// <summary>The users table; deleting a user cascades (foreign keys ON DELETE CASCADE) to everything recorded for them.</summary>
internal sealed class SqlUserDirectory : IUserDirectory
{
    private const string Columns = "user_id, plan_id, quota_override_bytes, history_enabled, created_at";

    private readonly SqlStoreContext _context;

    public SqlUserDirectory(SqlStoreContext context) => _context = context;

    public Task<LockerUser> EnsureAsync(string userId, string? planId = null, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("user.ensure", userId, () =>
        {
            MetadataInput.UserId(userId);
            string plan = planId ?? _context.Plans.DefaultPlanId;
            _context.RequireKnownPlan(plan, nameof(planId));

            return _context.WriteAsync(async (connection, transaction) =>
            {
                await connection.Sql(transaction,
                        "INSERT INTO locker_users (user_id, plan_id, used_bytes, reserved_bytes, history_enabled, created_at, last_active_at) VALUES (@u, @p, 0, 0, TRUE, @now, @now) ON CONFLICT (user_id) DO NOTHING")
                    .With("u", userId).With("p", plan).With("now", _context.NowMs())
                    .ExecAsync(cancellationToken).ConfigureAwait(false);
                return await GetAsync(connection, transaction, userId, cancellationToken).ConfigureAwait(false);
            }, cancellationToken);
        });

    public Task<LockerUser> GetAsync(string userId, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("user.get", userId, () =>
        {
            MetadataInput.UserId(userId);
            return _context.ReadAsync(connection => GetAsync(connection, null, userId, cancellationToken), cancellationToken);
        });

    public Task<DeletedAccount> DeleteAsync(string userId, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("user.delete", userId, () =>
        {
            MetadataInput.UserId(userId);
            return _context.WriteAsync(async (connection, transaction) =>
            {
                await connection.Sql(transaction, "SELECT user_id FROM locker_users WHERE user_id = @u" + _context.Dialect.ForUpdate)
                    .With("u", userId)
                    .FirstAsync<string?>(static r => r.GetString(0), null, cancellationToken).ConfigureAwait(false);
                long tracks = await connection.Sql(transaction, "SELECT COUNT(*) FROM tracks WHERE user_id = @u")
                    .With("u", userId).Int64Async(cancellationToken).ConfigureAwait(false);
                var keys = await connection.Sql(transaction,
                        "SELECT storage_key FROM tracks WHERE user_id = @u UNION SELECT storage_key FROM upload_sessions WHERE user_id = @u")
                    .With("u", userId)
                    .ListAsync(static r => r.GetString(0), cancellationToken).ConfigureAwait(false);
                // Only keys under the user's own prefix are the user's to sweep; a key recorded before that rule held (another
                // user's) is left alone.
                string prefix = _context.StorageKeyPrefix(userId);
                keys.RemoveAll(key => !key.StartsWith(prefix, StringComparison.Ordinal));
                keys.Sort(StringComparer.Ordinal); // in .NET: the database's collation may not be ordinal
                int deleted = await connection.Sql(transaction, "DELETE FROM locker_users WHERE user_id = @u")
                    .With("u", userId).ExecAsync(cancellationToken).ConfigureAwait(false);
                return deleted == 0
                    ? throw new MetadataNotFoundException(MetadataEntity.User, userId)
                    : new DeletedAccount(userId, (int)tracks, keys);
            }, cancellationToken);
        });

    public Task<bool> RecordActivityAsync(string userId, TimeSpan minimumInterval, CancellationToken cancellationToken = default) =>
        ConditionalUpdateAsync("user.record_activity", userId,
            "UPDATE locker_users SET last_active_at = @now, retention_warned_at = NULL, retention_notice_at = NULL " +
            "WHERE user_id = @u AND last_active_at <= @since AND retention_claimed_at IS NULL",
            (command, now) => command.With("since", now - Milliseconds(minimumInterval)), cancellationToken);

    public Task<IReadOnlyList<InactiveUser>> ListInactiveAsync(TimeSpan inactiveFor, string? afterUserId, int limit, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("user.list_inactive", null, () =>
        {
            MetadataInput.PageSize(limit, nameof(limit));
            long before = _context.NowMs() - Milliseconds(inactiveFor);
            return _context.ReadAsync<IReadOnlyList<InactiveUser>>(async connection =>
            {
                var command = connection.Sql(null,
                        "SELECT user_id, last_active_at, retention_warned_at FROM locker_users WHERE last_active_at <= @before" +
                        (afterUserId is null ? string.Empty : " AND user_id > @after") + $" ORDER BY user_id LIMIT {limit}")
                    .With("before", before);
                if (afterUserId is not null)
                {
                    command.With("after", afterUserId);
                }

                return await command.ListAsync(static r => new InactiveUser(r.GetString(0), r.GetTime(1), r.GetNullableInt64(2) is { } warned ? DateTimeOffset.FromUnixTimeMilliseconds(warned) : null), cancellationToken).ConfigureAwait(false);
            }, cancellationToken);
        });

    public Task<bool> TryMarkRetentionWarnedAsync(string userId, TimeSpan inactiveFor, CancellationToken cancellationToken = default) =>
        ConditionalUpdateAsync("user.retention_warn", userId,
            "UPDATE locker_users SET retention_warned_at = @now WHERE user_id = @u AND last_active_at <= @before AND retention_warned_at IS NULL " +
            "AND retention_notice_at IS NULL",
            (command, now) => command.With("before", now - Milliseconds(inactiveFor)), cancellationToken);

    public Task<bool> TryClaimRetentionNoticeAsync(string userId, TimeSpan inactiveFor, TimeSpan lease, CancellationToken cancellationToken = default) =>
        ConditionalUpdateAsync("user.retention_notice_claim", userId,
            "UPDATE locker_users SET retention_notice_at = @now WHERE user_id = @u AND last_active_at <= @before " +
            "AND retention_warned_at IS NULL AND retention_claimed_at IS NULL " +
            "AND (retention_notice_at IS NULL OR retention_notice_at <= @expired)",
            (command, now) => command.With("before", now - Milliseconds(inactiveFor)).With("expired", now - Milliseconds(lease)),
            cancellationToken);

    public Task<bool> CompleteRetentionNoticeAsync(string userId, bool delivered, CancellationToken cancellationToken = default) =>
        delivered
            ? ConditionalUpdateAsync("user.retention_notice_done", userId,
                "UPDATE locker_users SET retention_warned_at = @now, retention_notice_at = NULL " +
                "WHERE user_id = @u AND retention_notice_at IS NOT NULL AND retention_warned_at IS NULL",
                static (command, _) => command, cancellationToken)
            : ConditionalUpdateAsync("user.retention_notice_release", userId,
                "UPDATE locker_users SET retention_notice_at = NULL WHERE user_id = @u AND retention_notice_at IS NOT NULL AND retention_warned_at IS NULL",
                static (command, _) => command, cancellationToken);

    public Task<bool> TryClaimRetentionDeletionAsync(string userId, TimeSpan inactiveFor, TimeSpan warnedFor, TimeSpan lease, CancellationToken cancellationToken = default) =>
        ConditionalUpdateAsync("user.retention_claim", userId,
            "UPDATE locker_users SET retention_claimed_at = @now WHERE user_id = @u AND last_active_at <= @before " +
            "AND retention_warned_at IS NOT NULL AND retention_warned_at <= @warned " +
            "AND (retention_claimed_at IS NULL OR retention_claimed_at <= @expired)",
            (command, now) => command.With("before", now - Milliseconds(inactiveFor))
                .With("warned", now - Milliseconds(warnedFor)).With("expired", now - Milliseconds(lease)),
            cancellationToken);

    /// <summary>
    /// One conditional <c>UPDATE</c> of a user row (parameters <c>@u</c>, <c>@now</c> and what <paramref name="bind"/> adds):
    /// the database decides, so of several instances trying at once exactly one sees <see langword="true"/>.
    /// </summary>
    private Task<bool> ConditionalUpdateAsync(string operation, string userId, string sql, Func<DbCommand, long, DbCommand> bind, CancellationToken cancellationToken) =>
        MetadataTelemetry.TraceAsync(operation, userId, () =>
        {
            MetadataInput.UserId(userId);
            long now = _context.NowMs();
            return _context.WriteAsync(async (connection, transaction) =>
                await bind(connection.Sql(transaction, sql).With("u", userId).With("now", now), now)
                    .ExecAsync(cancellationToken).ConfigureAwait(false) > 0, cancellationToken, operation);
        });

    private static long Milliseconds(TimeSpan span) =>
        span < TimeSpan.Zero ? throw MetadataInput.Invalid(nameof(span), $"A duration cannot be negative (got {span}).") : (long)span.TotalMilliseconds;

    private static async Task<LockerUser> GetAsync(DbConnection connection, DbTransaction? transaction, string userId, CancellationToken cancellationToken) =>
        await connection.Sql(transaction, $"SELECT {Columns} FROM locker_users WHERE user_id = @u")
            .With("u", userId)
            .FirstAsync<LockerUser?>(static r => new LockerUser(r.GetString(0), r.GetString(1), r.GetNullableInt64(2), r.GetBoolean(3), r.GetTime(4)), null, cancellationToken)
            .ConfigureAwait(false)
        ?? throw new MetadataNotFoundException(MetadataEntity.User, userId);
}
