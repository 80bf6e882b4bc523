using System.Data.Common;
using System.Runtime.CompilerServices;
using MusicLocker.Metadata.Sql.Diagnostics;

namespace MusicLocker.Metadata.Sql;

/// <summary>
/// Playlists and their entries. Positions are kept 0..n−1: each change locks the playlist row, reads the entry order,
/// changes it in memory and writes back only the positions that moved. Deleting a track removes its entries by cascade;
/// the gap closes at the next change, and readers number entries by order, not by stored position.
/// </summary>
internal sealed class SqlPlaylistStore : IPlaylistStore
{
    private const string Columns =
        "p.id, p.user_id, p.name, (SELECT CAST(COUNT(*) AS INTEGER) FROM playlist_entries e WHERE e.playlist_id = p.id), p.created_at, p.updated_at";

    private readonly SqlStoreContext _context;

    public SqlPlaylistStore(SqlStoreContext context) => _context = context;

    public Task<Playlist> CreateAsync(string userId, string name, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("playlist.create", userId, () =>
        {
            MetadataInput.UserId(userId);
            MetadataInput.Text(name, nameof(name), MetadataLimits.MaxNameLength, required: true);
            return _context.WriteAsync(async (connection, transaction) =>
            {
                var id = Guid.NewGuid();
                long now = _context.NowMs();
                int inserted = await connection.Sql(transaction,
                        "INSERT INTO playlists (id, user_id, name, created_at, updated_at) SELECT @id, u.user_id, @name, @now, @now FROM locker_users u WHERE u.user_id = @u")
                    .With("id", id).With("name", name).With("now", now).With("u", userId)
                    .ExecAsync(cancellationToken).ConfigureAwait(false);
                return inserted == 0
                    ? throw new MetadataNotFoundException(MetadataEntity.User, userId)
                    : new Playlist(id, userId, name, 0, DateTimeOffset.FromUnixTimeMilliseconds(now), DateTimeOffset.FromUnixTimeMilliseconds(now));
            }, cancellationToken);
        });

    public Task<Playlist> RenameAsync(string userId, Guid playlistId, string name, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("playlist.rename", userId, () =>
        {
            MetadataInput.UserId(userId);
            MetadataInput.Text(name, nameof(name), MetadataLimits.MaxNameLength, required: true);
            return _context.WriteAsync(async (connection, transaction) =>
            {
                int changed = await connection.Sql(transaction, "UPDATE playlists SET name = @name, updated_at = @now WHERE id = @id AND user_id = @u")
                    .With("name", name).With("now", _context.NowMs()).With("id", playlistId).With("u", userId)
                    .ExecAsync(cancellationToken).ConfigureAwait(false);
                return changed == 0 ? throw NotFound(playlistId, userId) : await GetAsync(connection, transaction, userId, playlistId, cancellationToken).ConfigureAwait(false);
            }, cancellationToken);
        });

    public Task<bool> DeleteAsync(string userId, Guid playlistId, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("playlist.delete", userId, () =>
        {
            MetadataInput.UserId(userId);
            return _context.WriteAsync(async (connection, transaction) =>
                await connection.Sql(transaction, "DELETE FROM playlists WHERE id = @id AND user_id = @u")
                    .With("id", playlistId).With("u", userId).ExecAsync(cancellationToken).ConfigureAwait(false) > 0, cancellationToken);
        });

    public Task<Playlist> GetAsync(string userId, Guid playlistId, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("playlist.get", userId, () =>
        {
            MetadataInput.UserId(userId);
            return _context.ReadAsync(connection => GetAsync(connection, null, userId, playlistId, cancellationToken), cancellationToken);
        });

    public async IAsyncEnumerable<Playlist> ListAsync(string userId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var playlists = await MetadataTelemetry.TraceAsync("playlist.list", userId, () =>
        {
            MetadataInput.UserId(userId);
            return _context.ReadAsync<IReadOnlyList<Playlist>>(async connection =>
            {
                var found = await connection.Sql(null, $"SELECT {Columns} FROM playlists p WHERE p.user_id = @u")
                    .With("u", userId).ListAsync(ReadPlaylist, cancellationToken).ConfigureAwait(false);

                // Ordered here, by folded name, so both databases agree whatever their collation (a user has few playlists).
                var keyed = found.ConvertAll(p => (Key: CatalogText.Fold(p.Name), Playlist: p));
                keyed.Sort(static (a, b) =>
                {
                    int byKey = string.CompareOrdinal(a.Key, b.Key);
                    int byName = byKey != 0 ? byKey : string.CompareOrdinal(a.Playlist.Name, b.Playlist.Name);
                    return byName != 0 ? byName : a.Playlist.Id.CompareTo(b.Playlist.Id);
                });
                return keyed.ConvertAll(static k => k.Playlist);
            }, cancellationToken);
        }).ConfigureAwait(false);
        foreach (var playlist in playlists)
        {
            yield return playlist;
        }
    }

    public Task<IReadOnlyList<PlaylistEntry>> GetEntriesAsync(string userId, Guid playlistId, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("playlist.entries", userId, () =>
        {
            MetadataInput.UserId(userId);
            return _context.ReadAsync(connection => GetEntriesAsync(connection, null, userId, playlistId, cancellationToken), cancellationToken);
        });

    public Task<IReadOnlyList<PlaylistEntry>> AddTracksAsync(string userId, Guid playlistId, IReadOnlyList<Guid> trackIds, int? index = null, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("playlist.add_tracks", userId, () =>
        {
            MetadataInput.UserId(userId);
            MetadataInput.NotNull(trackIds, nameof(trackIds));
            return _context.WriteAsync(async (connection, transaction) =>
            {
                var order = await LockEntriesAsync(connection, transaction, userId, playlistId, cancellationToken).ConfigureAwait(false);
                int at = index ?? order.Count;
                if (at < 0 || at > order.Count)
                {
                    throw MetadataInput.Invalid(nameof(index), $"The playlist has {order.Count} entries; insert at 0 to {order.Count} (got {index}).");
                }

                var before = order.ToArray();
                var added = new List<Guid>(trackIds.Count);
                long now = _context.NowMs();
                foreach (var trackId in trackIds)
                {
                    var entryId = Guid.NewGuid();
                    int inserted = await connection.Sql(transaction,
                            "INSERT INTO playlist_entries (id, playlist_id, track_id, position, added_at) SELECT @e, @p, t.id, @pos, @now FROM tracks t WHERE t.id = @t AND t.user_id = @u")
                        .With("e", entryId).With("p", playlistId).With("pos", at + added.Count).With("now", now).With("t", trackId).With("u", userId)
                        .ExecAsync(cancellationToken).ConfigureAwait(false);
                    if (inserted == 0)
                    {
                        throw new MetadataNotFoundException(MetadataEntity.Track, trackId.ToString(), userId);
                    }

                    added.Add(entryId);
                }

                order.InsertRange(at, added);
                await WritePositionsAsync(connection, transaction, playlistId, before, order, [.. added], cancellationToken).ConfigureAwait(false);
                var entries = await GetEntriesAsync(connection, transaction, userId, playlistId, cancellationToken).ConfigureAwait(false);
                var result = new List<PlaylistEntry>(added.Count);
                for (int i = at; i < at + added.Count; i++)
                {
                    result.Add(entries[i]);
                }

                return (IReadOnlyList<PlaylistEntry>)result;
            }, cancellationToken);
        });

    public Task RemoveEntryAsync(string userId, Guid playlistId, Guid entryId, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("playlist.remove_entry", userId, () =>
        {
            MetadataInput.UserId(userId);
            return _context.WriteAsync(async (connection, transaction) =>
            {
                var order = await LockEntriesAsync(connection, transaction, userId, playlistId, cancellationToken).ConfigureAwait(false);
                int at = IndexOf(order, entryId, playlistId, userId);
                var before = order.ToArray();
                await connection.Sql(transaction, "DELETE FROM playlist_entries WHERE id = @e").With("e", entryId).ExecAsync(cancellationToken).ConfigureAwait(false);
                order.RemoveAt(at);
                await WritePositionsAsync(connection, transaction, playlistId, before, order, null, cancellationToken).ConfigureAwait(false);
                return true;
            }, cancellationToken);
        });

    public Task MoveEntryAsync(string userId, Guid playlistId, Guid entryId, int newIndex, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("playlist.move_entry", userId, () =>
        {
            MetadataInput.UserId(userId);
            return _context.WriteAsync(async (connection, transaction) =>
            {
                var order = await LockEntriesAsync(connection, transaction, userId, playlistId, cancellationToken).ConfigureAwait(false);
                int at = IndexOf(order, entryId, playlistId, userId);
                if (newIndex < 0 || newIndex >= order.Count)
                {
                    throw MetadataInput.Invalid(nameof(newIndex), $"The playlist has {order.Count} entries; move to 0 to {order.Count - 1} (got {newIndex}).");
                }

                var before = order.ToArray();
                order.RemoveAt(at);
                order.Insert(newIndex, entryId);
                await WritePositionsAsync(connection, transaction, playlistId, before, order, null, cancellationToken).ConfigureAwait(false);
                return true;
            }, cancellationToken);
        });

    private async Task<List<Guid>> LockEntriesAsync(DbConnection connection, DbTransaction transaction, string userId, Guid playlistId, CancellationToken cancellationToken)
    {
        bool exists = await connection.Sql(transaction, "SELECT id FROM playlists WHERE id = @p AND user_id = @u" + _context.Dialect.ForUpdate)
            .With("p", playlistId).With("u", userId)
            .FirstAsync(static _ => true, false, cancellationToken).ConfigureAwait(false);
        if (!exists)
        {
            throw NotFound(playlistId, userId);
        }

        return await connection.Sql(transaction, "SELECT id FROM playlist_entries WHERE playlist_id = @p ORDER BY position, id")
            .With("p", playlistId).ListAsync(static r => r.GetGuid(0), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the positions that changed (entries in <paramref name="inserted"/> were written with theirs) and touches the playlist.</summary>
    private async Task WritePositionsAsync(DbConnection connection, DbTransaction transaction, Guid playlistId, Guid[] before, List<Guid> after, HashSet<Guid>? inserted, CancellationToken cancellationToken)
    {
        for (int i = 0; i < after.Count; i++)
        {
            bool unchanged = i < before.Length && before[i] == after[i];
            if (unchanged || (inserted is not null && inserted.Contains(after[i])))
            {
                continue;
            }

            await connection.Sql(transaction, "UPDATE playlist_entries SET position = @pos WHERE id = @e")
                .With("pos", i).With("e", after[i]).ExecAsync(cancellationToken).ConfigureAwait(false);
        }

        await connection.Sql(transaction, "UPDATE playlists SET updated_at = @now WHERE id = @p")
            .With("now", _context.NowMs()).With("p", playlistId).ExecAsync(cancellationToken).ConfigureAwait(false);
    }

    private static int IndexOf(List<Guid> order, Guid entryId, Guid playlistId, string userId)
    {
        int at = order.IndexOf(entryId);
        return at >= 0
            ? at
            : throw new MetadataNotFoundException(MetadataEntity.PlaylistEntry, entryId.ToString(), userId, $"Playlist '{playlistId}' of user '{userId}' has no entry '{entryId}'.");
    }

    private static async Task<Playlist> GetAsync(DbConnection connection, DbTransaction? transaction, string userId, Guid playlistId, CancellationToken cancellationToken) =>
        await connection.Sql(transaction, $"SELECT {Columns} FROM playlists p WHERE p.id = @id AND p.user_id = @u")
            .With("id", playlistId).With("u", userId)
            .FirstAsync<Playlist?>(ReadPlaylist, null, cancellationToken).ConfigureAwait(false)
        ?? throw NotFound(playlistId, userId);

    private static async Task<IReadOnlyList<PlaylistEntry>> GetEntriesAsync(DbConnection connection, DbTransaction? transaction, string userId, Guid playlistId, CancellationToken cancellationToken)
    {
        int index = 0;
        var entries = await connection.Sql(transaction,
                $"SELECT {TrackRows.Columns}, e.id, e.added_at FROM playlists p JOIN playlist_entries e ON e.playlist_id = p.id JOIN tracks t ON t.id = e.track_id " +
                "WHERE p.id = @p AND p.user_id = @u ORDER BY e.position, e.id")
            .With("p", playlistId).With("u", userId)
            .ListAsync(r => new PlaylistEntry(r.GetGuid(TrackRows.ColumnCount), index++, TrackRows.Read(r), r.GetTime(TrackRows.ColumnCount + 1)), cancellationToken).ConfigureAwait(false);
        if (entries.Count == 0)
        {
            await GetAsync(connection, transaction, userId, playlistId, cancellationToken).ConfigureAwait(false);
        }

        return entries;
    }

    private static Playlist ReadPlaylist(DbDataReader r) =>
        new(r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetInt32(3), r.GetTime(4), r.GetTime(5));

    private static MetadataNotFoundException NotFound(Guid playlistId, string userId) => new(MetadataEntity.Playlist, playlistId.ToString(), userId);
}
