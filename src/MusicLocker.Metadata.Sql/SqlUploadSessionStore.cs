using System.Data;
using System.Data.Common;
using System.Runtime.CompilerServices;
using MusicLocker.Metadata.Sql.Diagnostics;

namespace MusicLocker.Metadata.Sql;

/// <summary>Upload sessions with a version column: every update is conditional on the version the writer read.</summary>
internal sealed class SqlUploadSessionStore : IUploadSessionStore
{
    private const string Columns =
        "id, user_id, storage_key, file_name, declared_bytes, received_bytes, reservation_id, multipart_upload_id, state, version, created_at, updated_at";

    private readonly SqlStoreContext _context;

    public SqlUploadSessionStore(SqlStoreContext context) => _context = context;

    public Task<UploadSession> CreateAsync(string userId, NewUploadSession session, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("upload.create", userId, () =>
        {
            MetadataInput.UserId(userId);
            MetadataInput.NotNull(session, nameof(session));
            _context.RequireOwnedKey(userId, session.StorageKey, "session.StorageKey");
            MetadataInput.Text(session.FileName, "session.FileName", MetadataLimits.MaxFileNameLength, required: true);
            MetadataInput.Bytes(session.DeclaredBytes, "session.DeclaredBytes");
            if (session.MultipartUploadId is not null)
            {
                MetadataInput.Identifier(session.MultipartUploadId, "session.MultipartUploadId", MetadataLimits.MaxUploadIdLength);
            }

            return _context.WriteAsync(async (connection, transaction) =>
            {
                bool userExists = await connection.Sql(transaction, "SELECT COUNT(*) FROM locker_users WHERE user_id = @u")
                    .With("u", userId).Int64Async(cancellationToken).ConfigureAwait(false) > 0;
                if (!userExists)
                {
                    throw new MetadataNotFoundException(MetadataEntity.User, userId);
                }

                // A session may only carry the user's own, still-held reservation: another user's is "not found", like a missing one.
                if (session.ReservationId is { } reservationId
                    && !await SqlQuotaLedger.HoldsReservationAsync(connection, transaction, userId, reservationId, cancellationToken).ConfigureAwait(false))
                {
                    throw SqlQuotaLedger.ReservationGone(reservationId, userId);
                }

                var now = _context.NowMs();
                var created = new UploadSession(Guid.NewGuid(), userId, session.StorageKey, session.FileName, session.DeclaredBytes, 0, session.ReservationId,
                    session.MultipartUploadId, UploadSessionState.Open, 1, DateTimeOffset.FromUnixTimeMilliseconds(now), DateTimeOffset.FromUnixTimeMilliseconds(now));
                await connection.Sql(transaction,
                        $"INSERT INTO upload_sessions ({Columns}) VALUES (@id, @u, @key, @name, @declared, 0, @reservation, @multipart, @state, 1, @now, @now)")
                    .With("id", created.Id).With("u", userId).With("key", session.StorageKey).With("name", session.FileName).With("declared", session.DeclaredBytes)
                    .WithNullable("reservation", session.ReservationId, DbType.Guid).WithNullable("multipart", session.MultipartUploadId, DbType.String)
                    .With("state", (int)UploadSessionState.Open).With("now", now)
                    .ExecAsync(cancellationToken).ConfigureAwait(false);
                return created;
            }, cancellationToken);
        });

    public Task<UploadSession> GetAsync(string userId, Guid sessionId, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("upload.get", userId, () =>
        {
            MetadataInput.UserId(userId);
            return _context.ReadAsync(connection => GetAsync(connection, userId, sessionId, cancellationToken), cancellationToken);
        });

    public Task<UploadSession> UpdateAsync(string userId, Guid sessionId, UploadSessionUpdate update, int expectedVersion, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("upload.update", userId, () =>
        {
            MetadataInput.UserId(userId);
            MetadataInput.NotNull(update, nameof(update));
            if (update.ReceivedBytes is { } received)
            {
                MetadataInput.Bytes(received, "update.ReceivedBytes");
            }

            if (update.MultipartUploadId is not null)
            {
                MetadataInput.Identifier(update.MultipartUploadId, "update.MultipartUploadId", MetadataLimits.MaxUploadIdLength);
            }

            if (update.State is { } state)
            {
                MetadataInput.Defined(state, "update.State");
            }

            return _context.ReadAsync(async connection =>
            {
                var current = await GetAsync(connection, userId, sessionId, cancellationToken).ConfigureAwait(false);
                if (current.Version != expectedVersion)
                {
                    throw Conflict(sessionId, expectedVersion, current.Version);
                }

                long now = _context.NowMs();
                var next = current with
                {
                    ReceivedBytes = update.ReceivedBytes ?? current.ReceivedBytes,
                    MultipartUploadId = update.MultipartUploadId ?? current.MultipartUploadId,
                    State = update.State ?? current.State,
                    Version = expectedVersion + 1,
                    UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(now),
                };

                // The version in the WHERE clause makes this a compare-and-swap: of two instances racing, one wins.
                int changed = await connection.Sql(null,
                        "UPDATE upload_sessions SET received_bytes = @received, multipart_upload_id = @multipart, state = @state, version = @next, updated_at = @now " +
                        "WHERE id = @id AND user_id = @u AND version = @expected")
                    .With("received", next.ReceivedBytes).WithNullable("multipart", next.MultipartUploadId, DbType.String).With("state", (int)next.State)
                    .With("next", next.Version).With("now", now).With("id", sessionId).With("u", userId).With("expected", expectedVersion)
                    .ExecAsync(cancellationToken).ConfigureAwait(false);
                return changed == 1 ? next : throw Conflict(sessionId, expectedVersion, null);
            }, cancellationToken);
        });

    public async IAsyncEnumerable<UploadSession> ListOpenAsync(string userId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var sessions = await MetadataTelemetry.TraceAsync("upload.list_open", userId, () =>
        {
            MetadataInput.UserId(userId);
            return _context.ReadAsync<IReadOnlyList<UploadSession>>(async connection =>
                await connection.Sql(null, $"SELECT {Columns} FROM upload_sessions WHERE user_id = @u AND state = @open ORDER BY created_at, id")
                    .With("u", userId).With("open", (int)UploadSessionState.Open)
                    .ListAsync(Read, cancellationToken).ConfigureAwait(false), cancellationToken);
        }).ConfigureAwait(false);
        foreach (var session in sessions)
        {
            yield return session;
        }
    }

    public Task<IReadOnlyList<UploadSession>> ListStaleAsync(DateTimeOffset updatedBefore, int limit = 100, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("upload.list_stale", null, () =>
        {
            MetadataInput.PageSize(limit, nameof(limit));
            return _context.ReadAsync<IReadOnlyList<UploadSession>>(async connection =>
                await connection.Sql(null, $"SELECT {Columns} FROM upload_sessions WHERE state = @open AND updated_at < @before ORDER BY updated_at, id LIMIT @n")
                    .With("open", (int)UploadSessionState.Open).With("before", updatedBefore.ToUnixTimeMilliseconds()).With("n", limit)
                    .ListAsync(Read, cancellationToken).ConfigureAwait(false), cancellationToken);
        });

    public Task<bool> DeleteAsync(string userId, Guid sessionId, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("upload.delete", userId, () =>
        {
            MetadataInput.UserId(userId);
            return _context.ReadAsync(async connection =>
                await connection.Sql(null, "DELETE FROM upload_sessions WHERE id = @id AND user_id = @u")
                    .With("id", sessionId).With("u", userId).ExecAsync(cancellationToken).ConfigureAwait(false) > 0, cancellationToken);
        });

    private static async Task<UploadSession> GetAsync(DbConnection connection, string userId, Guid sessionId, CancellationToken cancellationToken) =>
        await connection.Sql(null, $"SELECT {Columns} FROM upload_sessions WHERE id = @id AND user_id = @u")
            .With("id", sessionId).With("u", userId)
            .FirstAsync<UploadSession?>(Read, null, cancellationToken).ConfigureAwait(false)
        ?? throw new MetadataNotFoundException(MetadataEntity.UploadSession, sessionId.ToString(), userId);

    private static UploadSession Read(DbDataReader r) => new(
        r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64(4), r.GetInt64(5), r.GetNullableGuid(6), r.GetNullableString(7),
        (UploadSessionState)r.GetInt32(8), r.GetInt32(9), r.GetTime(10), r.GetTime(11));

    private static MetadataConflictException Conflict(Guid sessionId, int expected, int? actual) =>
        new($"Upload session '{sessionId}' is at version {(actual?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "newer")}, not {expected}: another writer updated it. Read it again and retry.");
}
