using System.Data.Common;

namespace MusicLocker.Library.Sql;

/// <summary>Wrapped user keys; a rewrap is conditional on the master key it replaces, so two rotators cannot both win.</summary>
internal sealed class SqlUserKeyStore : IUserKeyStore
{
    private const string Columns = "user_id, key_id, wrapped_key, master_key_id, created_at";

    private readonly SqlStoreContext _context;

    public SqlUserKeyStore(SqlStoreContext context) => _context = context;

    public Task<UserKeyRecord> AddAsync(string userId, string keyId, ReadOnlyMemory<byte> wrappedKey, string masterKeyId, CancellationToken cancellationToken = default)
    {
        MetadataInput.UserId(userId);
        MetadataInput.Identifier(keyId, nameof(keyId), MetadataLimits.MaxIdentifierLength);
        MetadataInput.Identifier(masterKeyId, nameof(masterKeyId), MetadataLimits.MaxIdentifierLength);
        ValidateWrappedKey(wrappedKey);

        return _context.WriteAsync(async (connection, transaction) =>
        {
            bool userExists = await connection.Sql(transaction, "SELECT COUNT(*) FROM locker_users WHERE user_id = @u")
                .With("u", userId).Int64Async(cancellationToken).ConfigureAwait(false) > 0;
            if (!userExists)
            {
                throw new MetadataNotFoundException(MetadataEntity.User, userId);
            }

            long now = _context.NowMs();
            int inserted = await connection.Sql(transaction,
                    $"INSERT INTO user_keys ({Columns}) VALUES (@u, @k, @w, @m, @now) ON CONFLICT (user_id, key_id) DO NOTHING")
                .With("u", userId).With("k", keyId).With("w", wrappedKey).With("m", masterKeyId).With("now", now)
                .ExecAsync(cancellationToken).ConfigureAwait(false);
            return inserted == 1
                ? new UserKeyRecord(userId, keyId, wrappedKey.ToArray(), masterKeyId, DateTimeOffset.FromUnixTimeMilliseconds(now))
                : throw new MetadataConflictException($"User '{userId}' has a key '{keyId}' already; key ids are never reused.");
        }, cancellationToken);
    }

    public Task<UserKeyRecord> GetAsync(string userId, string keyId, CancellationToken cancellationToken = default)
    {
        MetadataInput.UserId(userId);
        MetadataInput.Identifier(keyId, nameof(keyId), MetadataLimits.MaxIdentifierLength);
        return _context.ReadAsync(connection => GetAsync(connection, userId, keyId, cancellationToken), cancellationToken);
    }

    public Task<IReadOnlyList<UserKeyRecord>> ListAsync(string userId, CancellationToken cancellationToken = default)
    {
        MetadataInput.UserId(userId);
        return _context.ReadAsync<IReadOnlyList<UserKeyRecord>>(async connection =>
            await connection.Sql(null, $"SELECT {Columns} FROM user_keys WHERE user_id = @u ORDER BY created_at, key_id")
                .With("u", userId).ListAsync(Read, cancellationToken).ConfigureAwait(false), cancellationToken);
    }

    public Task<IReadOnlyList<UserKeyRecord>> ListWrappedByAsync(string masterKeyId, int limit = 100, CancellationToken cancellationToken = default)
    {
        MetadataInput.Identifier(masterKeyId, nameof(masterKeyId), MetadataLimits.MaxIdentifierLength);
        MetadataInput.PageSize(limit, nameof(limit));
        return _context.ReadAsync<IReadOnlyList<UserKeyRecord>>(async connection =>
            await connection.Sql(null, $"SELECT {Columns} FROM user_keys WHERE master_key_id = @m ORDER BY user_id, key_id LIMIT @n")
                .With("m", masterKeyId).With("n", limit).ListAsync(Read, cancellationToken).ConfigureAwait(false), cancellationToken);
    }

    public Task<UserKeyRecord> RewrapAsync(string userId, string keyId, ReadOnlyMemory<byte> wrappedKey, string masterKeyId, string expectedMasterKeyId, CancellationToken cancellationToken = default)
    {
        MetadataInput.UserId(userId);
        MetadataInput.Identifier(keyId, nameof(keyId), MetadataLimits.MaxIdentifierLength);
        MetadataInput.Identifier(masterKeyId, nameof(masterKeyId), MetadataLimits.MaxIdentifierLength);
        MetadataInput.Identifier(expectedMasterKeyId, nameof(expectedMasterKeyId), MetadataLimits.MaxIdentifierLength);
        ValidateWrappedKey(wrappedKey);

        return _context.ReadAsync(async connection =>
        {
            int changed = await connection.Sql(null, "UPDATE user_keys SET wrapped_key = @w, master_key_id = @m WHERE user_id = @u AND key_id = @k AND master_key_id = @expected")
                .With("w", wrappedKey).With("m", masterKeyId).With("u", userId).With("k", keyId).With("expected", expectedMasterKeyId)
                .ExecAsync(cancellationToken).ConfigureAwait(false);
            var current = await GetAsync(connection, userId, keyId, cancellationToken).ConfigureAwait(false);
            return changed == 1
                ? current
                : throw new MetadataConflictException($"Key '{keyId}' of user '{userId}' is wrapped by master key '{current.MasterKeyId}', not '{expectedMasterKeyId}': it was rewrapped by someone else.");
        }, cancellationToken);
    }

    public Task<int> DeleteAllAsync(string userId, CancellationToken cancellationToken = default)
    {
        MetadataInput.UserId(userId);
        return _context.ReadAsync(connection =>
            connection.Sql(null, "DELETE FROM user_keys WHERE user_id = @u").With("u", userId).ExecAsync(cancellationToken), cancellationToken);
    }

    private static void ValidateWrappedKey(ReadOnlyMemory<byte> wrappedKey)
    {
        if (wrappedKey.IsEmpty || wrappedKey.Length > MetadataLimits.MaxWrappedKeyBytes)
        {
            throw MetadataInput.Invalid(nameof(wrappedKey), $"A wrapped key is 1 to {MetadataLimits.MaxWrappedKeyBytes:N0} bytes (got {wrappedKey.Length:N0}).");
        }
    }

    private static async Task<UserKeyRecord> GetAsync(DbConnection connection, string userId, string keyId, CancellationToken cancellationToken) =>
        await connection.Sql(null, $"SELECT {Columns} FROM user_keys WHERE user_id = @u AND key_id = @k")
            .With("u", userId).With("k", keyId)
            .FirstAsync<UserKeyRecord?>(Read, null, cancellationToken).ConfigureAwait(false)
        ?? throw new MetadataNotFoundException(MetadataEntity.UserKey, keyId, userId);

    private static UserKeyRecord Read(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), (byte[])r.GetValue(2), r.GetString(3), r.GetTime(4));
}
