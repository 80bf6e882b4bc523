using MusicLocker.Metadata.Sql.Diagnostics;

namespace MusicLocker.Metadata.Sql;

/// <summary>
/// Plays, one row each. Play counts are counted from those rows, so erasing the history erases the counts with it.
/// Recording reads the user's switch under a shared lock (PostgreSQL), so a play cannot land after history was turned off.
/// </summary>
internal sealed class SqlListeningHistory : IListeningHistory
{
    private readonly SqlStoreContext _context;

    public SqlListeningHistory(SqlStoreContext context) => _context = context;

    public Task<bool> RecordPlayAsync(string userId, Guid trackId, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("history.record_play", userId, () =>
        {
            MetadataInput.UserId(userId);
            return _context.WriteAsync(async (connection, transaction) =>
            {
                var state = await connection.Sql(transaction,
                        "SELECT u.history_enabled FROM tracks t JOIN locker_users u ON u.user_id = t.user_id WHERE t.id = @t AND t.user_id = @u" + _context.Dialect.ForShareOf("u"))
                    .With("t", trackId).With("u", userId)
                    .FirstAsync<bool?>(static r => r.GetBoolean(0), null, cancellationToken).ConfigureAwait(false);
                if (state is null)
                {
                    throw new MetadataNotFoundException(MetadataEntity.Track, trackId.ToString(), userId);
                }

                if (!state.Value)
                {
                    return false;
                }

                await connection.Sql(transaction, "INSERT INTO plays (user_id, track_id, played_at) VALUES (@u, @t, @now)")
                    .With("u", userId).With("t", trackId).With("now", _context.NowMs())
                    .ExecAsync(cancellationToken).ConfigureAwait(false);
                return true;
            }, cancellationToken);
        });

    public Task<IReadOnlyList<PlayRecord>> GetRecentlyPlayedAsync(string userId, int count = 50, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("history.recent", userId, () =>
        {
            MetadataInput.UserId(userId);
            MetadataInput.PageSize(count, nameof(count));
            return _context.ReadAsync<IReadOnlyList<PlayRecord>>(async connection =>
                await connection.Sql(null,
                        $"SELECT {TrackRows.Columns}, p.played_at FROM plays p JOIN tracks t ON t.id = p.track_id WHERE p.user_id = @u ORDER BY p.played_at DESC, p.seq DESC LIMIT @n")
                    .With("u", userId).With("n", count)
                    .ListAsync(static r => new PlayRecord(TrackRows.Read(r), r.GetTime(TrackRows.ColumnCount)), cancellationToken).ConfigureAwait(false), cancellationToken);
        });

    public async IAsyncEnumerable<PlayRecord> ListPlaysAsync(string userId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        MetadataInput.UserId(userId);
        const int Batch = 500;
        long afterSeq = long.MinValue;
        while (true)
        {
            // Keyset on the play's insertion order (seq): stable while plays are recorded during the listing.
            var page = await MetadataTelemetry.TraceAsync("history.list", userId, () => _context.ReadAsync(connection =>
                connection.Sql(null,
                        $"SELECT {TrackRows.Columns}, p.played_at, p.seq FROM plays p JOIN tracks t ON t.id = p.track_id WHERE p.user_id = @u AND p.seq > @after ORDER BY p.seq LIMIT {Batch}")
                    .With("u", userId).With("after", afterSeq)
                    .ListAsync(static r => (Play: new PlayRecord(TrackRows.Read(r), r.GetTime(TrackRows.ColumnCount)), Seq: r.GetInt64(TrackRows.ColumnCount + 1)), cancellationToken),
                cancellationToken)).ConfigureAwait(false);
            foreach (var (play, _) in page)
            {
                yield return play;
            }

            if (page.Count < Batch)
            {
                yield break;
            }

            afterSeq = page[^1].Seq;
        }
    }

    public Task<IReadOnlyList<TrackPlayCount>> GetMostPlayedAsync(string userId, int count = 50, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("history.most_played", userId, () =>
        {
            MetadataInput.UserId(userId);
            MetadataInput.PageSize(count, nameof(count));
            return _context.ReadAsync<IReadOnlyList<TrackPlayCount>>(async connection =>
                await connection.Sql(null,
                        $"SELECT {TrackRows.Columns}, c.plays, c.last_played FROM (SELECT track_id, COUNT(*) AS plays, MAX(played_at) AS last_played FROM plays WHERE user_id = @u GROUP BY track_id) c " +
                        "JOIN tracks t ON t.id = c.track_id ORDER BY c.plays DESC, c.last_played DESC, t.id LIMIT @n")
                    .With("u", userId).With("n", count)
                    .ListAsync(static r => new TrackPlayCount(TrackRows.Read(r), r.GetInt64(TrackRows.ColumnCount), r.GetTime(TrackRows.ColumnCount + 1)), cancellationToken)
                    .ConfigureAwait(false), cancellationToken);
        });

    public Task<long> GetPlayCountAsync(string userId, Guid trackId, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("history.play_count", userId, () =>
        {
            MetadataInput.UserId(userId);
            return _context.ReadAsync(connection =>
                connection.Sql(null, "SELECT COUNT(*) FROM plays WHERE user_id = @u AND track_id = @t")
                    .With("u", userId).With("t", trackId).Int64Async(cancellationToken), cancellationToken);
        });

    public Task<long> SetEnabledAsync(string userId, bool enabled, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("history.set_enabled", userId, () =>
        {
            MetadataInput.UserId(userId);
            return _context.WriteAsync(async (connection, transaction) =>
            {
                int users = await connection.Sql(transaction, "UPDATE locker_users SET history_enabled = @e WHERE user_id = @u")
                    .With("e", enabled).With("u", userId).ExecAsync(cancellationToken).ConfigureAwait(false);
                if (users == 0)
                {
                    throw new MetadataNotFoundException(MetadataEntity.User, userId);
                }

                return enabled
                    ? 0L
                    : await connection.Sql(transaction, "DELETE FROM plays WHERE user_id = @u").With("u", userId).ExecAsync(cancellationToken).ConfigureAwait(false);
            }, cancellationToken);
        });
}
