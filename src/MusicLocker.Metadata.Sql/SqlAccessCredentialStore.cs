using MusicLocker.Metadata.Sql.Diagnostics;

namespace MusicLocker.Metadata.Sql;

/// <summary>API key hashes (unique across users: a key names its user) and one sealed app password per user.</summary>
internal sealed class SqlAccessCredentialStore : IAccessCredentialStore
{
    /// <summary>The size of an API key hash (SHA-256).</summary>
    public const int KeyHashSize = 32;

    private const string KeyColumns = "id, user_id, label, created_at";

    private readonly SqlStoreContext _context;

    public SqlAccessCredentialStore(SqlStoreContext context) => _context = context;

    public Task<ApiKeyRecord> AddApiKeyAsync(string userId, Guid keyId, ReadOnlyMemory<byte> keyHash, string label, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("credentials.add_api_key", userId, () =>
        {
            MetadataInput.UserId(userId);
            RequireHash(keyHash);
            MetadataInput.Text(label, nameof(label), MetadataLimits.MaxNameLength, required: true);
            return _context.WriteAsync(async (connection, transaction) =>
            {
                await RequireUserAsync(connection, transaction, userId, cancellationToken).ConfigureAwait(false);
                long now = _context.NowMs();
                await connection.Sql(transaction, "INSERT INTO api_keys (id, user_id, key_hash, label, created_at) VALUES (@id, @u, @h, @l, @now)")
                    .With("id", keyId).With("u", userId).With("h", keyHash).With("l", label).With("now", now)
                    .ExecAsync(cancellationToken).ConfigureAwait(false);
                return new ApiKeyRecord(keyId, userId, label, DateTimeOffset.FromUnixTimeMilliseconds(now));
            }, cancellationToken);
        });

    public Task<ApiKeyRecord?> FindApiKeyAsync(ReadOnlyMemory<byte> keyHash, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("credentials.find_api_key", null, () =>
        {
            RequireHash(keyHash);
            return _context.ReadAsync(connection =>
                connection.Sql(null, $"SELECT {KeyColumns} FROM api_keys WHERE key_hash = @h").With("h", keyHash)
                    .FirstAsync<ApiKeyRecord?>(Read, null, cancellationToken), cancellationToken);
        });

    public Task<IReadOnlyList<ApiKeyRecord>> ListApiKeysAsync(string userId, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("credentials.list_api_keys", userId, () =>
        {
            MetadataInput.UserId(userId);
            return _context.ReadAsync<IReadOnlyList<ApiKeyRecord>>(async connection =>
                await connection.Sql(null, $"SELECT {KeyColumns} FROM api_keys WHERE user_id = @u ORDER BY created_at, id").With("u", userId)
                    .ListAsync(Read, cancellationToken).ConfigureAwait(false), cancellationToken);
        });

    public Task<bool> RevokeApiKeyAsync(string userId, Guid keyId, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("credentials.revoke_api_key", userId, () =>
        {
            MetadataInput.UserId(userId);
            return _context.WriteAsync(async (connection, transaction) =>
                await connection.Sql(transaction, "DELETE FROM api_keys WHERE id = @id AND user_id = @u").With("id", keyId).With("u", userId)
                    .ExecAsync(cancellationToken).ConfigureAwait(false) > 0, cancellationToken);
        });

    public Task SetAppPasswordAsync(string userId, ReadOnlyMemory<byte> sealedPassword, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("credentials.set_app_password", userId, () =>
        {
            MetadataInput.UserId(userId);
            if (sealedPassword.Length is 0 or > 4096)
            {
                throw MetadataInput.Invalid(nameof(sealedPassword), $"A sealed app password is 1 to 4096 bytes (got {sealedPassword.Length}).");
            }

            return _context.WriteAsync(async (connection, transaction) =>
            {
                await RequireUserAsync(connection, transaction, userId, cancellationToken).ConfigureAwait(false);
                return await connection.Sql(transaction,
                        "INSERT INTO app_passwords (user_id, sealed, updated_at) VALUES (@u, @s, @now) ON CONFLICT (user_id) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at")
                    .With("u", userId).With("s", sealedPassword).With("now", _context.NowMs()).ExecAsync(cancellationToken).ConfigureAwait(false);
            }, cancellationToken);
        });

    public Task<byte[]?> GetAppPasswordAsync(string userId, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("credentials.get_app_password", userId, () =>
        {
            MetadataInput.UserId(userId);
            return _context.ReadAsync(connection =>
                connection.Sql(null, "SELECT sealed FROM app_passwords WHERE user_id = @u").With("u", userId)
                    .FirstAsync<byte[]?>(static r => (byte[])r.GetValue(0), null, cancellationToken), cancellationToken);
        });

    public Task<bool> ClearAppPasswordAsync(string userId, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("credentials.clear_app_password", userId, () =>
        {
            MetadataInput.UserId(userId);
            return _context.WriteAsync(async (connection, transaction) =>
                await connection.Sql(transaction, "DELETE FROM app_passwords WHERE user_id = @u").With("u", userId)
                    .ExecAsync(cancellationToken).ConfigureAwait(false) > 0, cancellationToken);
        });

    private static ApiKeyRecord Read(System.Data.Common.DbDataReader r) => new(r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetTime(3));

    private static void RequireHash(ReadOnlyMemory<byte> keyHash)
    {
        if (keyHash.Length != KeyHashSize)
        {
            throw MetadataInput.Invalid(nameof(keyHash), $"An API key hash is {KeyHashSize} bytes (SHA-256; got {keyHash.Length}).");
        }
    }

    private static async Task RequireUserAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, string userId, CancellationToken cancellationToken)
    {
        if (await connection.Sql(transaction, "SELECT COUNT(*) FROM locker_users WHERE user_id = @u").With("u", userId).Int64Async(cancellationToken).ConfigureAwait(false) == 0)
        {
            throw new MetadataNotFoundException(MetadataEntity.User, userId);
        }
    }
}
