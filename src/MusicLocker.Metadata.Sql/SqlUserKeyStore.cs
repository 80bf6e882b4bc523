using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using MusicLocker.Crypto;
using MusicLocker.Metadata.Sql.Diagnostics;
using MusicLocker.Storage;

namespace MusicLocker.Metadata.Sql;

/// <summary>
/// The crypto layer's user key records in the metadata database: one row per owner (current version, destroyed time and
/// a version tag) and one row per wrapped version. Create is an insert that does nothing when the owner has a record;
/// replace is an UPDATE conditional on the version tag, which a new random tag replaces on every write (so a tag never
/// matches a later record, even one recreated out of band). Records are not tied to <c>locker_users</c>: deleting an
/// account leaves the user's tombstone, so a destroyed key can never be recreated or restored.
/// </summary>
/// <remarks>
/// Times are stored as round-trip ISO 8601 text (ticks and offset exactly as given), not the engine's Unix milliseconds:
/// a key record must read back exactly as it was written.
/// </remarks>
internal sealed class SqlUserKeyStore : IUserKeyStore
{
    /// <summary>The owners one page of <see cref="ListOwnersAsync"/> reads.</summary>
    internal const int OwnerBatch = 200;

    private readonly SqlStoreContext _context;

    public SqlUserKeyStore(SqlStoreContext context) => _context = context;

    public Task<StoredUserKeyRecord> ReadAsync(KeyOwner owner, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("user_key.read", owner.UserId, () =>
        {
            ValidateOwner(owner);
            return _context.ReadAsync(async connection =>
            {
                var head = await connection.Sql(null, "SELECT current_version, destroyed_at, etag FROM user_key_records WHERE tenant_id = @t AND user_id = @u")
                    .With("t", owner.TenantId).With("u", owner.UserId)
                    .FirstAsync<(int Current, string? Destroyed, string ETag)?>(static r => (r.GetInt32(0), r.GetNullableString(1), r.GetString(2)), null, cancellationToken)
                    .ConfigureAwait(false)
                    ?? throw new EncryptionException(EncryptionErrorCode.KeyNotFound, $"User '{owner}' has no key record in the metadata database.");
                var versions = await connection.Sql(null,
                        "SELECT version, wrapped_key, created_at, retired_at FROM user_key_versions WHERE tenant_id = @t AND user_id = @u ORDER BY position")
                    .With("t", owner.TenantId).With("u", owner.UserId)
                    .ListAsync(static r => new WrappedUserKey(r.GetInt32(0), (byte[])r.GetValue(1), ParseTime(r.GetString(2)))
                    {
                        RetiredAt = r.IsDBNull(3) ? null : ParseTime(r.GetString(3)),
                    }, cancellationToken).ConfigureAwait(false);
                var record = head.Destroyed is { } destroyed
                    ? new UserKeyRecord(head.Current, versions, ParseTime(destroyed))
                    : new UserKeyRecord(head.Current, versions);
                return new StoredUserKeyRecord(record, new ETag(head.ETag));
            }, cancellationToken);
        });

    public Task<ETag> CreateAsync(KeyOwner owner, UserKeyRecord record, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("user_key.create", owner.UserId, () =>
        {
            ValidateOwner(owner);
            ValidateRecord(record);
            return _context.WriteAsync(async (connection, transaction) =>
            {
                var etag = NewETag();
                int inserted = await connection.Sql(transaction,
                        "INSERT INTO user_key_records (tenant_id, user_id, current_version, destroyed_at, etag) VALUES (@t, @u, @c, @d, @e) " +
                        "ON CONFLICT (tenant_id, user_id) DO NOTHING")
                    .With("t", owner.TenantId).With("u", owner.UserId).With("c", record.CurrentVersion)
                    .WithNullable("d", FormatTime(record.DestroyedAt), DbType.String).With("e", etag.Value)
                    .ExecAsync(cancellationToken).ConfigureAwait(false);
                if (inserted == 0)
                {
                    throw ConcurrentUpdate(owner, "a record exists already; key records are created once");
                }

                await WriteVersionsAsync(connection, transaction, owner, record, cancellationToken).ConfigureAwait(false);
                return etag;
            }, cancellationToken);
        });

    public Task<ETag> ReplaceAsync(KeyOwner owner, UserKeyRecord record, ETag ifMatch, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("user_key.replace", owner.UserId, () =>
        {
            ValidateOwner(owner);
            ValidateRecord(record);
            if (ifMatch.IsDefault)
            {
                throw MetadataInput.Invalid(nameof(ifMatch), "A replace names the version tag it replaces; default(ETag) names none.");
            }

            return _context.WriteAsync(async (connection, transaction) =>
            {
                var etag = NewETag();
                int changed = await connection.Sql(transaction,
                        "UPDATE user_key_records SET current_version = @c, destroyed_at = @d, etag = @e WHERE tenant_id = @t AND user_id = @u AND etag = @match")
                    .With("c", record.CurrentVersion).WithNullable("d", FormatTime(record.DestroyedAt), DbType.String).With("e", etag.Value)
                    .With("t", owner.TenantId).With("u", owner.UserId).With("match", ifMatch.Value)
                    .ExecAsync(cancellationToken).ConfigureAwait(false);
                if (changed == 0)
                {
                    throw ConcurrentUpdate(owner, "it changed or vanished since it was read");
                }

                await connection.Sql(transaction, "DELETE FROM user_key_versions WHERE tenant_id = @t AND user_id = @u")
                    .With("t", owner.TenantId).With("u", owner.UserId).ExecAsync(cancellationToken).ConfigureAwait(false);
                await WriteVersionsAsync(connection, transaction, owner, record, cancellationToken).ConfigureAwait(false);
                return etag;
            }, cancellationToken);
        });

    /// <summary>Every owner with a record, destroyed ones included, in (tenant, user) order, one short read per page.</summary>
    public async IAsyncEnumerable<KeyOwner> ListOwnersAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        (string Tenant, string User)? after = null;
        while (true)
        {
            var last = after;
            var page = await MetadataTelemetry.TraceAsync("user_key.list_owners", null, () => _context.ReadAsync(connection =>
            {
                var command = last is { } key
                    ? connection.Sql(null, "SELECT tenant_id, user_id FROM user_key_records WHERE (tenant_id, user_id) > (@t, @u) ORDER BY tenant_id, user_id LIMIT @n")
                        .With("t", key.Tenant).With("u", key.User)
                    : connection.Sql(null, "SELECT tenant_id, user_id FROM user_key_records ORDER BY tenant_id, user_id LIMIT @n");
                return command.With("n", OwnerBatch).ListAsync(static r => (Tenant: r.GetString(0), User: r.GetString(1)), cancellationToken);
            }, cancellationToken)).ConfigureAwait(false);

            foreach (var (tenant, user) in page)
            {
                yield return new KeyOwner(tenant, user);
            }

            if (page.Count < OwnerBatch)
            {
                yield break;
            }

            after = page[^1];
        }
    }

    private static async Task WriteVersionsAsync(DbConnection connection, DbTransaction transaction, KeyOwner owner, UserKeyRecord record, CancellationToken cancellationToken)
    {
        for (int i = 0; i < record.Versions.Count; i++)
        {
            var version = record.Versions[i];
            await connection.Sql(transaction,
                    "INSERT INTO user_key_versions (tenant_id, user_id, version, position, wrapped_key, created_at, retired_at) VALUES (@t, @u, @v, @p, @w, @c, @r)")
                .With("t", owner.TenantId).With("u", owner.UserId).With("v", version.Version).With("p", i).With("w", version.WrappedKey)
                .With("c", FormatTime(version.CreatedAt)!).WithNullable("r", FormatTime(version.RetiredAt), DbType.String)
                .ExecAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The owner's ids as the database will compare them: a default owner (which skipped <see cref="KeyOwner"/>'s checks),
    /// or an id SQLite would store as U+FFFD (an unpaired surrogate, merging two owners into one record), is refused.
    /// </summary>
    private static void ValidateOwner(KeyOwner owner)
    {
        if (owner.UserId is null)
        {
            throw MetadataInput.Invalid(nameof(owner), "default(KeyOwner) names no user.");
        }

        MetadataInput.Text(owner.TenantId, "owner.TenantId", KeyOwner.MaxIdLength, required: false);
        MetadataInput.Identifier(owner.UserId, "owner.UserId", KeyOwner.MaxIdLength);
    }

    private static void ValidateRecord(UserKeyRecord record)
    {
        MetadataInput.NotNull(record, nameof(record));
        if (record.Versions.Count > MetadataLimits.MaxUserKeyVersions)
        {
            throw MetadataInput.Invalid("record.Versions", $"A key record keeps at most {MetadataLimits.MaxUserKeyVersions:N0} versions (got {record.Versions.Count:N0}).");
        }

        var seen = new HashSet<int>();
        for (int i = 0; i < record.Versions.Count; i++)
        {
            string parameter = $"record.Versions[{i.ToString(CultureInfo.InvariantCulture)}]";
            var version = record.Versions[i];
            MetadataInput.NotNull(version, parameter);
            if (!seen.Add(version.Version))
            {
                throw MetadataInput.Invalid(parameter + ".Version", $"Version {version.Version} appears twice in the record.");
            }

            if (version.WrappedKey.IsEmpty || version.WrappedKey.Length > MetadataLimits.MaxWrappedKeyBytes)
            {
                throw MetadataInput.Invalid(parameter + ".WrappedKey", $"A wrapped key is 1 to {MetadataLimits.MaxWrappedKeyBytes:N0} bytes (got {version.WrappedKey.Length:N0}).");
            }
        }
    }

    private static ETag NewETag() => new(Guid.NewGuid().ToString("N"));

    private static string? FormatTime(DateTimeOffset? time) => time?.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTime(string text) => DateTimeOffset.ParseExact(text, "O", CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    private static EncryptionException ConcurrentUpdate(KeyOwner owner, string why) =>
        new(EncryptionErrorCode.ConcurrentUpdate, $"The key record of user '{owner}' was not written: {why}. Read it again and retry.");
}
