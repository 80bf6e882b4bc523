using System.Data.Common;
using System.Runtime.CompilerServices;
using MusicLocker.Metadata.Sql.Diagnostics;

namespace MusicLocker.Metadata.Sql;

/// <summary>
/// Cover-art edits, one row per edited track in <c>track_covers</c> (the track's row cascades it away; the catalog's
/// removal reads its key first). A row without a storage key is a removed cover. Each write locks the track's row
/// first (<see cref="SqlDialect.ForUpdate"/>; SQLite serialises writers), so the picture a write replaces is read and
/// overwritten in one step and handed to exactly one caller.
/// </summary>
internal sealed class SqlTrackCoverStore : ITrackCoverStore
{
    private const int StreamBatch = 500;
    private const int MaxMimeTypeLength = 100;
    private const string Columns = "track_id, storage_key, mime_type, length_bytes, sha256, updated_at";
    private readonly SqlStoreContext _context;

    public SqlTrackCoverStore(SqlStoreContext context) => _context = context;

    public Task<TrackCoverEdit?> GetAsync(string userId, Guid trackId, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("cover.get", userId, () =>
        {
            MetadataInput.UserId(userId);
            return _context.ReadAsync(async connection =>
            {
                await RequireTrackAsync(connection, null, userId, trackId, string.Empty, cancellationToken).ConfigureAwait(false);
                return await connection.Sql(null, $"SELECT {Columns} FROM track_covers WHERE track_id = @t AND user_id = @u")
                    .With("t", trackId).With("u", userId)
                    .FirstAsync<TrackCoverEdit?>(Read, null, cancellationToken).ConfigureAwait(false);
            }, cancellationToken);
        });

    public Task<CoverPicture?> SetAsync(string userId, Guid trackId, CoverPicture? picture, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("cover.set", userId, () =>
        {
            MetadataInput.UserId(userId);
            if (picture is not null)
            {
                _context.RequireOwnedKey(userId, picture.StorageKey, "picture.StorageKey");
                MetadataInput.Text(picture.MimeType, "picture.MimeType", MaxMimeTypeLength, required: true);
                MetadataInput.Text(picture.Sha256, "picture.Sha256", 128, required: true);
                if (picture.Length <= 0)
                {
                    throw MetadataInput.Invalid("picture.Length", $"A picture has at least one byte (got {picture.Length}).");
                }
            }

            return _context.WriteAsync(async (connection, transaction) =>
            {
                var replaced = await LockAndReadAsync(connection, transaction, userId, trackId, cancellationToken).ConfigureAwait(false);
                await connection.Sql(transaction,
                        $"INSERT INTO track_covers (user_id, {Columns}) VALUES (@u, @t, @k, @m, @l, @h, @now) " +
                        "ON CONFLICT (track_id) DO UPDATE SET storage_key = excluded.storage_key, mime_type = excluded.mime_type, " +
                        "length_bytes = excluded.length_bytes, sha256 = excluded.sha256, updated_at = excluded.updated_at")
                    .With("u", userId).With("t", trackId)
                    .WithNullable("k", picture?.StorageKey, System.Data.DbType.String)
                    .WithNullable("m", picture?.MimeType, System.Data.DbType.String)
                    .With("l", picture?.Length ?? 0L)
                    .WithNullable("h", picture?.Sha256, System.Data.DbType.String)
                    .With("now", _context.NowMs())
                    .ExecAsync(cancellationToken).ConfigureAwait(false);
                return Replaced(replaced, picture);
            }, cancellationToken);
        });

    public Task<CoverPicture?> ClearAsync(string userId, Guid trackId, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("cover.clear", userId, () =>
        {
            MetadataInput.UserId(userId);
            return _context.WriteAsync(async (connection, transaction) =>
            {
                var replaced = await LockAndReadAsync(connection, transaction, userId, trackId, cancellationToken).ConfigureAwait(false);
                await connection.Sql(transaction, "DELETE FROM track_covers WHERE track_id = @t").With("t", trackId).ExecAsync(cancellationToken).ConfigureAwait(false);
                return Replaced(replaced, null);
            }, cancellationToken);
        });

    public async IAsyncEnumerable<string> ListStorageKeysAsync(string userId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        MetadataInput.UserId(userId);
        string? afterKey = null;
        while (true)
        {
            var page = await MetadataTelemetry.TraceAsync("cover.by_storage_key", userId, () => _context.ReadAsync(connection =>
            {
                // Compared as bytes (the dialect's ordinal collation): the storage listing's order.
                string collate = _context.Dialect.OrdinalCollation;
                string after = afterKey is null ? string.Empty : $" AND storage_key{collate} > @k";
                var command = connection.Sql(null, $"SELECT storage_key FROM track_covers WHERE user_id = @u AND storage_key IS NOT NULL{after} ORDER BY storage_key{collate} LIMIT {StreamBatch}")
                    .With("u", userId);
                if (afterKey is not null)
                {
                    command.With("k", afterKey);
                }

                return command.ListAsync(static r => r.GetString(0), cancellationToken);
            }, cancellationToken)).ConfigureAwait(false);
            foreach (var key in page)
            {
                yield return key;
            }

            if (page.Count < StreamBatch)
            {
                yield break;
            }

            afterKey = page[^1];
        }
    }

    /// <summary>The storage key of the track's cover picture, read inside a removal's transaction; null when none.</summary>
    internal static Task<string?> StorageKeyAsync(DbConnection connection, DbTransaction transaction, Guid trackId, CancellationToken cancellationToken) =>
        connection.Sql(transaction, "SELECT storage_key FROM track_covers WHERE track_id = @t")
            .With("t", trackId).FirstAsync(static r => r.GetNullableString(0), null, cancellationToken);

    private async Task<TrackCoverEdit?> LockAndReadAsync(DbConnection connection, DbTransaction transaction, string userId, Guid trackId, CancellationToken cancellationToken)
    {
        await RequireTrackAsync(connection, transaction, userId, trackId, _context.Dialect.ForUpdate, cancellationToken).ConfigureAwait(false);
        return await connection.Sql(transaction, $"SELECT {Columns} FROM track_covers WHERE track_id = @t")
            .With("t", trackId).FirstAsync<TrackCoverEdit?>(Read, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The picture an edit replaced, unless the edit stored the very same object again.</summary>
    private static CoverPicture? Replaced(TrackCoverEdit? before, CoverPicture? now) =>
        before?.Picture is { } old && !string.Equals(old.StorageKey, now?.StorageKey, StringComparison.Ordinal) ? old : null;

    private static async Task RequireTrackAsync(DbConnection connection, DbTransaction? transaction, string userId, Guid trackId, string lockClause, CancellationToken cancellationToken)
    {
        bool found = await connection.Sql(transaction, $"SELECT id FROM tracks WHERE id = @t AND user_id = @u{lockClause}")
            .With("t", trackId).With("u", userId).FirstAsync(static _ => true, false, cancellationToken).ConfigureAwait(false);
        if (!found)
        {
            throw new MetadataNotFoundException(MetadataEntity.Track, trackId.ToString(), userId);
        }
    }

    private static TrackCoverEdit Read(DbDataReader r) => new(
        r.GetGuid(0),
        r.IsDBNull(1) ? null : new CoverPicture(r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetString(4)),
        r.GetTime(5));
}
