using System.Data;
using System.Data.Common;
using System.Globalization;
using MusicLocker.Metadata.Quota;
using MusicLocker.Metadata.Sql.Diagnostics;

namespace MusicLocker.Metadata.Sql;

/// <summary>
/// The quota ledger. Each user row holds <c>used_bytes</c> and <c>reserved_bytes</c>; every change runs in one transaction
/// that first locks that row (PostgreSQL <c>SELECT … FOR UPDATE</c>; SQLite's write transaction holds the database lock),
/// sweeps the user's expired reservations, and then changes the counters with a conditional UPDATE whose WHERE clause is the
/// quota check itself, so that no interleaving of instances can take the user past the limit.
/// </summary>
internal sealed class SqlQuotaLedger : IQuotaLedger
{
    private const int HashBatch = 200;

    private readonly SqlStoreContext _context;

    public SqlQuotaLedger(SqlStoreContext context) => _context = context;

    /// <summary>A user's quota row, read under the transaction's lock.</summary>
    internal readonly record struct QuotaRow(string UserId, QuotaPlan Plan, long? Override, long Used, long Reserved)
    {
        public long Limit => Override ?? Plan.LimitBytes;

        public long Available => Math.Max(0, Limit - Used - Reserved);

        public QuotaStatus ToStatus() => new(UserId, Plan, Limit, Used, Reserved);
    }

    public Task<QuotaStatus> GetStatusAsync(string userId, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("quota.status", userId, () =>
        {
            MetadataInput.UserId(userId);
            return _context.ReadAsync(connection => ReadStatusAsync(connection, userId, cancellationToken), cancellationToken);
        });

    public Task<QuotaReservation> ReserveAsync(string userId, long bytes, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("quota.reserve", userId, () =>
        {
            MetadataInput.UserId(userId);
            MetadataInput.Bytes(bytes, nameof(bytes));
            return ReserveCoreAsync(userId, bytes, cancellationToken);
        });

    private async Task<QuotaReservation> ReserveCoreAsync(string userId, long bytes, CancellationToken cancellationToken)
    {
        var reservation = await _context.WriteAsync(async (connection, transaction) =>
        {
            long now = _context.NowMs();
            var row = await LockAsync(connection, transaction, userId, now, cancellationToken).ConfigureAwait(false);
            int changed = await connection.Sql(transaction,
                    "UPDATE locker_users SET reserved_bytes = reserved_bytes + @b WHERE user_id = @u AND used_bytes + reserved_bytes + @b <= @limit")
                .With("b", bytes).With("u", userId).With("limit", row.Limit)
                .ExecAsync(cancellationToken).ConfigureAwait(false);
            if (changed == 0)
            {
                throw _context.Rejected(new QuotaExceededException(userId, bytes, row.Available, row.Limit, row.Plan));
            }

            var id = Guid.NewGuid();
            long expires = now + (long)_context.ReservationLifetime.TotalMilliseconds;
            await connection.Sql(transaction, "INSERT INTO quota_reservations (id, user_id, bytes, created_at, expires_at) VALUES (@id, @u, @b, @now, @exp)")
                .With("id", id).With("u", userId).With("b", bytes).With("now", now).With("exp", expires)
                .ExecAsync(cancellationToken).ConfigureAwait(false);
            return new QuotaReservation(id, userId, bytes, DateTimeOffset.FromUnixTimeMilliseconds(now), DateTimeOffset.FromUnixTimeMilliseconds(expires));
        }, cancellationToken, nameof(IQuotaLedger.ReserveAsync)).ConfigureAwait(false);
        MetadataTelemetry.QuotaReservations.Add(1);
        return reservation;
    }

    public Task<IReadOnlyList<QuotaReservation>> ListReservationsAsync(string userId, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("quota.reservations", userId, () =>
        {
            MetadataInput.UserId(userId);
            return _context.ReadAsync<IReadOnlyList<QuotaReservation>>(async connection =>
            {
                long known = await connection.Sql(null, "SELECT COUNT(*) FROM locker_users WHERE user_id = @u").With("u", userId).Int64Async(cancellationToken).ConfigureAwait(false);
                if (known == 0)
                {
                    throw new MetadataNotFoundException(MetadataEntity.User, userId);
                }

                return await connection.Sql(null, "SELECT id, bytes, created_at, expires_at FROM quota_reservations WHERE user_id = @u AND expires_at > @now ORDER BY created_at, id")
                    .With("u", userId).With("now", _context.NowMs())
                    .ListAsync(r => new QuotaReservation(r.GetGuid(0), userId, r.GetInt64(1), r.GetTime(2), r.GetTime(3)), cancellationToken).ConfigureAwait(false);
            }, cancellationToken);
        });

    public Task<QuotaUsageCheck> CheckUsageAsync(string userId, bool repair = false, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("quota.check_usage", userId, () =>
        {
            MetadataInput.UserId(userId);
            return _context.WriteAsync(async (connection, transaction) =>
            {
                var check = await connection.Sql(transaction,
                        "SELECT used_bytes, reserved_bytes, " +
                        "(SELECT CAST(COALESCE(SUM(t.charged_bytes), 0) AS BIGINT) FROM tracks t WHERE t.user_id = u.user_id), " +
                        "(SELECT CAST(COALESCE(SUM(r.bytes), 0) AS BIGINT) FROM quota_reservations r WHERE r.user_id = u.user_id) " +
                        "FROM locker_users u WHERE u.user_id = @u" + _context.Dialect.ForUpdate)
                    .With("u", userId)
                    .FirstAsync<QuotaUsageCheck?>(r => new QuotaUsageCheck(userId, r.GetInt64(0), r.GetInt64(2), r.GetInt64(1), r.GetInt64(3), false), null, cancellationToken).ConfigureAwait(false)
                    ?? throw new MetadataNotFoundException(MetadataEntity.User, userId);
                if (!repair || !check.HasDrift)
                {
                    return check;
                }

                await connection.Sql(transaction, "UPDATE locker_users SET used_bytes = @used, reserved_bytes = @reserved WHERE user_id = @u")
                    .With("u", userId).With("used", check.ChargedBytes).With("reserved", check.ReservationBytes)
                    .ExecAsync(cancellationToken).ConfigureAwait(false);
                return check with { Repaired = true };
            }, cancellationToken);
        });

    public Task<QuotaStatus> CommitAsync(string userId, Guid reservationId, long actualBytes, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("quota.commit", userId, () =>
        {
            MetadataInput.UserId(userId);
            MetadataInput.Bytes(actualBytes, nameof(actualBytes));
            return _context.WriteAsync(async (connection, transaction) =>
            {
                // Scoped to the user before anything is locked: another user's reservation is "not found", like a missing one.
                if (!await HoldsReservationAsync(connection, transaction, userId, reservationId, cancellationToken).ConfigureAwait(false))
                {
                    throw ReservationGone(reservationId, userId);
                }

                var row = await LockAsync(connection, transaction, userId, _context.NowMs(), cancellationToken).ConfigureAwait(false);
                long reserved = await TakeReservationAsync(connection, transaction, row, reservationId, cancellationToken).ConfigureAwait(false);
                row = await ChargeAsync(connection, transaction, row, reserved, actualBytes, cancellationToken).ConfigureAwait(false);
                return row.ToStatus();
            }, cancellationToken);
        });

    public Task<bool> ReleaseAsync(string userId, Guid reservationId, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("quota.release", userId, () =>
        {
            MetadataInput.UserId(userId);
            return _context.WriteAsync(async (connection, transaction) =>
            {
                if (!await HoldsReservationAsync(connection, transaction, userId, reservationId, cancellationToken).ConfigureAwait(false))
                {
                    return false;
                }

                var row = await LockAsync(connection, transaction, userId, _context.NowMs(), cancellationToken).ConfigureAwait(false);
                long bytes = await DeleteReservationAsync(connection, transaction, userId, reservationId, cancellationToken).ConfigureAwait(false);
                if (bytes < 0)
                {
                    return false;
                }

                await connection.Sql(transaction, "UPDATE locker_users SET reserved_bytes = reserved_bytes - @b WHERE user_id = @u")
                    .With("b", bytes).With("u", row.UserId).ExecAsync(cancellationToken).ConfigureAwait(false);
                return true;
            }, cancellationToken);
        });

    public Task<QuotaPreview> PreviewAsync(string userId, IReadOnlyList<PlannedUpload> files, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("quota.preview", userId, () =>
        {
            MetadataInput.UserId(userId);
            MetadataInput.NotNull(files, nameof(files));
            for (int i = 0; i < files.Count; i++)
            {
                string parameter = $"files[{i.ToString(CultureInfo.InvariantCulture)}]";
                var file = files[i];
                MetadataInput.NotNull(file, parameter);
                MetadataInput.Text(file.Name, parameter + ".Name", MetadataLimits.MaxFileNameLength, required: false);
                MetadataInput.Bytes(file.SizeBytes, parameter + ".SizeBytes");
                if (file.ContentHash is not null)
                {
                    MetadataInput.Identifier(file.ContentHash, parameter + ".ContentHash", MetadataLimits.MaxIdentifierLength);
                }
            }

            return _context.ReadAsync(async connection =>
            {
                var status = await ReadStatusAsync(connection, userId, cancellationToken).ConfigureAwait(false);
                var stored = await StoredFilesAsync(connection, userId, files, cancellationToken).ConfigureAwait(false);
                var seen = new HashSet<(string Hash, long Size)>();
                var verdicts = new PlannedUploadVerdict[files.Count];
                long needed = 0;
                long fitting = 0;
                for (int i = 0; i < files.Count; i++)
                {
                    var file = files[i];
                    var charge = file.IsPurchased ? PlannedUploadCharge.Purchased
                        : file.ContentHash is not null && (stored.Contains((file.ContentHash, file.SizeBytes)) || !seen.Add((file.ContentHash, file.SizeBytes))) ? PlannedUploadCharge.Duplicate
                        : PlannedUploadCharge.Counted;
                    long bytes = charge == PlannedUploadCharge.Counted ? file.SizeBytes : 0;
                    needed = bytes > long.MaxValue - needed ? long.MaxValue : needed + bytes; // saturates: a plan this large never fits
                    bool fits = bytes <= status.AvailableBytes - fitting;
                    if (fits)
                    {
                        fitting += bytes;
                    }

                    verdicts[i] = new PlannedUploadVerdict(file, bytes, charge, fits);
                }

                return new QuotaPreview(status, needed, verdicts);
            }, cancellationToken);
        });

    public Task<QuotaStatus> SetPlanAsync(string userId, string planId, long? overrideLimitBytes = null, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("quota.set_plan", userId, () =>
        {
            MetadataInput.UserId(userId);
            _context.RequireKnownPlan(planId, nameof(planId));
            if (overrideLimitBytes is { } limit)
            {
                MetadataInput.QuotaBytes(limit, nameof(overrideLimitBytes));
            }

            return _context.WriteAsync(async (connection, transaction) =>
            {
                var row = await LockAsync(connection, transaction, userId, _context.NowMs(), cancellationToken).ConfigureAwait(false);
                await connection.Sql(transaction, "UPDATE locker_users SET plan_id = @p, quota_override_bytes = @o WHERE user_id = @u")
                    .With("p", planId).WithNullable("o", overrideLimitBytes, DbType.Int64).With("u", userId)
                    .ExecAsync(cancellationToken).ConfigureAwait(false);
                return (row with { Plan = _context.Plans.Get(planId), Override = overrideLimitBytes }).ToStatus();
            }, cancellationToken);
        });

    public Task<QuotaReconciliation> ReconcileAsync(string userId, IAsyncEnumerable<StoredObject> storedObjects, bool apply = false, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("quota.reconcile", userId, async () =>
        {
            MetadataInput.UserId(userId);
            MetadataInput.NotNull(storedObjects, nameof(storedObjects));
            var sizes = await ReadListingAsync(userId, storedObjects, cancellationToken).ConfigureAwait(false);
            return await ReconcileAsync(userId, sizes, apply, cancellationToken).ConfigureAwait(false);
        });

    /// <summary>
    /// One pass over the caller's listing (a storage listing streamed page by page), before any transaction starts: a slow
    /// listing never holds the user's row lock (or SQLite's write lock). Keeps one key and size per object.
    /// </summary>
    private async Task<Dictionary<string, long>> ReadListingAsync(string userId, IAsyncEnumerable<StoredObject> storedObjects, CancellationToken cancellationToken)
    {
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        int index = 0;
        await foreach (var stored in storedObjects.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            string parameter = $"storedObjects[{(index++).ToString(CultureInfo.InvariantCulture)}]";
            MetadataInput.NotNull(stored, parameter);
            _context.RequireOwnedKey(userId, stored.StorageKey, parameter + ".StorageKey");
            MetadataInput.Bytes(stored.SizeBytes, parameter + ".SizeBytes");
            sizes[stored.StorageKey] = stored.SizeBytes;
        }

        return sizes;
    }

    private Task<QuotaReconciliation> ReconcileAsync(string userId, Dictionary<string, long> sizes, bool apply, CancellationToken cancellationToken)
    {
        return _context.WriteAsync(async (connection, transaction) =>
        {
            var row = await LockAsync(connection, transaction, userId, _context.NowMs(), cancellationToken).ConfigureAwait(false);
            var keys = await connection.Sql(transaction, "SELECT storage_key, charged_bytes FROM tracks WHERE user_id = @u")
                .With("u", userId)
                .ListAsync(static r => (Key: r.GetString(0), Counted: r.GetInt64(1) > 0), cancellationToken).ConfigureAwait(false);
            var referenced = new HashSet<string>(StringComparer.Ordinal);
            var counted = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (key, isCounted) in keys)
            {
                referenced.Add(key);
                if (isCounted)
                {
                    counted.Add(key);
                }
            }

            long computed = 0;
            var missing = new List<string>();
            foreach (var key in counted)
            {
                if (sizes.TryGetValue(key, out long size))
                {
                    computed = computed > MetadataLimits.MaxQuotaBytes - size
                        ? throw MetadataInput.Invalid("storedObjects", $"The stored objects' sizes add up to more than {MetadataLimits.MaxQuotaBytes:N0} bytes.")
                        : computed + size;
                }
                else
                {
                    missing.Add(key);
                }
            }

            var orphaned = new List<string>();
            foreach (var key in sizes.Keys)
            {
                if (!referenced.Contains(key))
                {
                    orphaned.Add(key);
                }
            }

            orphaned.Sort(StringComparer.Ordinal);
            missing.Sort(StringComparer.Ordinal);
            bool applied = apply && computed != row.Used;
            if (applied)
            {
                await connection.Sql(transaction, "UPDATE locker_users SET used_bytes = @c WHERE user_id = @u")
                    .With("c", computed).With("u", userId).ExecAsync(cancellationToken).ConfigureAwait(false);
            }

            return new QuotaReconciliation(userId, row.Used, computed, orphaned, missing, applied);
        }, cancellationToken);
    }

    /// <summary>
    /// Locks the user's quota row for the rest of the transaction and sweeps the user's expired reservations (their bytes
    /// stop counting). Every quota-changing transaction starts here, so locks are always taken user row first.
    /// </summary>
    internal async Task<QuotaRow> LockAsync(DbConnection connection, DbTransaction transaction, string userId, long nowMs, CancellationToken cancellationToken)
    {
        var row = await connection.Sql(transaction,
                "SELECT plan_id, quota_override_bytes, used_bytes, reserved_bytes FROM locker_users WHERE user_id = @u" + _context.Dialect.ForUpdate)
            .With("u", userId)
            .FirstAsync<QuotaRow?>(r => new QuotaRow(userId, _context.StoredPlan(userId, r.GetString(0)), r.GetNullableInt64(1), r.GetInt64(2), r.GetInt64(3)), null, cancellationToken)
            .ConfigureAwait(false) ?? throw new MetadataNotFoundException(MetadataEntity.User, userId);
        var expired = await connection.Sql(transaction, "DELETE FROM quota_reservations WHERE user_id = @u AND expires_at <= @now RETURNING bytes")
            .With("u", userId).With("now", nowMs)
            .ListAsync(static r => r.GetInt64(0), cancellationToken).ConfigureAwait(false);
        if (expired.Count == 0)
        {
            return row;
        }

        long swept = 0;
        foreach (long bytes in expired)
        {
            swept += bytes;
        }

        await connection.Sql(transaction, "UPDATE locker_users SET reserved_bytes = reserved_bytes - @s WHERE user_id = @u")
            .With("s", swept).With("u", userId).ExecAsync(cancellationToken).ConfigureAwait(false);
        return row with { Reserved = row.Reserved - swept };
    }

    /// <summary>Removes an unexpired reservation of the locked user and returns its bytes; throws when it is gone.</summary>
    internal async Task<long> TakeReservationAsync(DbConnection connection, DbTransaction transaction, QuotaRow row, Guid reservationId, CancellationToken cancellationToken)
    {
        long bytes = await DeleteReservationAsync(connection, transaction, row.UserId, reservationId, cancellationToken).ConfigureAwait(false);
        return bytes >= 0 ? bytes : throw ReservationGone(reservationId, row.UserId);
    }

    /// <summary>
    /// Turns <paramref name="releasedBytes"/> of reservation into <paramref name="chargeBytes"/> of usage. A charge within the
    /// reservation always fits; beyond it, the UPDATE only happens if the rest fits, checked by the database in the same statement.
    /// </summary>
    internal async Task<QuotaRow> ChargeAsync(DbConnection connection, DbTransaction transaction, QuotaRow row, long releasedBytes, long chargeBytes, CancellationToken cancellationToken)
    {
        string sql = chargeBytes <= releasedBytes
            ? "UPDATE locker_users SET reserved_bytes = reserved_bytes - @r, used_bytes = used_bytes + @c WHERE user_id = @u"
            : "UPDATE locker_users SET reserved_bytes = reserved_bytes - @r, used_bytes = used_bytes + @c WHERE user_id = @u AND used_bytes + reserved_bytes - @r + @c <= @limit";
        var command = connection.Sql(transaction, sql).With("r", releasedBytes).With("c", chargeBytes).With("u", row.UserId);
        if (chargeBytes > releasedBytes)
        {
            command.With("limit", row.Limit);
        }

        if (await command.ExecAsync(cancellationToken).ConfigureAwait(false) == 0)
        {
            var free = row with { Reserved = row.Reserved - releasedBytes };
            throw _context.Rejected(new QuotaExceededException(row.UserId, chargeBytes, free.Available, row.Limit, row.Plan));
        }

        return row with { Reserved = row.Reserved - releasedBytes, Used = row.Used + chargeBytes };
    }

    /// <summary>Whether the user holds this reservation (not yet committed, released or swept); another user's is not held.</summary>
    internal static Task<bool> HoldsReservationAsync(DbConnection connection, DbTransaction transaction, string userId, Guid reservationId, CancellationToken cancellationToken) =>
        connection.Sql(transaction, "SELECT 1 FROM quota_reservations WHERE id = @id AND user_id = @u")
            .With("id", reservationId).With("u", userId)
            .FirstAsync(static _ => true, false, cancellationToken);

    /// <summary>Deletes the reservation if it is the user's and unexpired; returns its bytes, or −1.</summary>
    private async Task<long> DeleteReservationAsync(DbConnection connection, DbTransaction transaction, string userId, Guid reservationId, CancellationToken cancellationToken) =>
        await connection.Sql(transaction, "DELETE FROM quota_reservations WHERE id = @id AND user_id = @u AND expires_at > @now RETURNING bytes")
            .With("id", reservationId).With("u", userId).With("now", _context.NowMs())
            .FirstAsync(static r => r.GetInt64(0), -1L, cancellationToken).ConfigureAwait(false);

    internal static MetadataNotFoundException ReservationGone(Guid reservationId, string? userId) =>
        new(MetadataEntity.QuotaReservation, reservationId.ToString(), userId,
            $"The quota reservation '{reservationId}' does not exist{(userId is null ? string.Empty : $" for user '{userId}'")}: it was committed, released, or it expired. Reserve again.");

    private async Task<QuotaStatus> ReadStatusAsync(DbConnection connection, string userId, CancellationToken cancellationToken)
    {
        // Expired reservations not yet swept (sweeping happens in write transactions) must not count.
        return await connection.Sql(null,
                "SELECT plan_id, quota_override_bytes, used_bytes, reserved_bytes - (SELECT CAST(COALESCE(SUM(r.bytes), 0) AS BIGINT) FROM quota_reservations r WHERE r.user_id = u.user_id AND r.expires_at <= @now) " +
                "FROM locker_users u WHERE u.user_id = @u")
            .With("u", userId).With("now", _context.NowMs())
            .FirstAsync<QuotaStatus?>(r => new QuotaRow(userId, _context.StoredPlan(userId, r.GetString(0)), r.GetNullableInt64(1), r.GetInt64(2), r.GetInt64(3)).ToStatus(), null, cancellationToken)
            .ConfigureAwait(false) ?? throw new MetadataNotFoundException(MetadataEntity.User, userId);
    }

    /// <summary>The (hash, size) pairs of the user's uploaded tracks among the planned files' hashes.</summary>
    private static async Task<HashSet<(string Hash, long Size)>> StoredFilesAsync(DbConnection connection, string userId, IReadOnlyList<PlannedUpload> files, CancellationToken cancellationToken)
    {
        var hashes = new List<string>();
        foreach (var file in files)
        {
            if (file.ContentHash is not null && !file.IsPurchased)
            {
                hashes.Add(file.ContentHash);
            }
        }

        var found = new HashSet<(string Hash, long Size)>();
        for (int start = 0; start < hashes.Count; start += HashBatch)
        {
            int count = Math.Min(HashBatch, hashes.Count - start);
            var names = new string[count];
            for (int i = 0; i < count; i++)
            {
                names[i] = "@h" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            var command = connection.Sql(null,
                    $"SELECT DISTINCT content_hash, size_bytes FROM tracks WHERE user_id = @u AND is_purchased = FALSE AND content_hash IN ({string.Join(", ", names)})")
                .With("u", userId);
            for (int i = 0; i < count; i++)
            {
                command.With(names[i][1..], hashes[start + i]);
            }

            foreach (var file in await command.ListAsync(static r => (r.GetString(0), r.GetInt64(1)), cancellationToken).ConfigureAwait(false))
            {
                found.Add(file);
            }
        }

        return found;
    }
}
