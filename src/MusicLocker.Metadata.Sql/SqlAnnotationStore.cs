using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Text;
using MusicLocker.Metadata.Sql.Diagnostics;

namespace MusicLocker.Metadata.Sql;

/// <summary>
/// Stars and ratings, one row per annotated item, keyed by the folded names the catalog groups by (<c>key1</c>, <c>key2</c>):
/// an album is (album artist key, album key), an artist (artist key, ''), a track (its id, '') with <c>track_id</c> set so
/// that removing the track removes its row by cascade. A row with neither star nor rating is deleted.
/// </summary>
internal sealed class SqlAnnotationStore : IAnnotationStore
{
    private readonly SqlStoreContext _context;

    public SqlAnnotationStore(SqlStoreContext context) => _context = context;

    public Task SetStarredAsync(string userId, AnnotationTarget target, bool starred, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("annotation.star", userId, () =>
        {
            CheckTarget(userId, target);
            return _context.WriteAsync(async (connection, transaction) =>
            {
                await RequireTrackAsync(connection, transaction, userId, target, cancellationToken).ConfigureAwait(false);
                if (starred)
                {
                    await Upsert(connection, transaction, userId, target,
                            "starred_at, rating) VALUES (@u, @k, @k1, @k2, @tid, @n1, @n2, @now, 0) ON CONFLICT (user_id, kind, key1, key2) DO UPDATE SET " +
                            "starred_at = COALESCE(annotations.starred_at, excluded.starred_at), name1 = excluded.name1, name2 = excluded.name2")
                        .ExecAsync(cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await Keyed(connection, transaction, "UPDATE annotations SET starred_at = NULL", userId, target).ExecAsync(cancellationToken).ConfigureAwait(false);
                    await DeleteEmptyAsync(connection, transaction, userId, target, cancellationToken).ConfigureAwait(false);
                }

                return true;
            }, cancellationToken);
        });

    public Task SetRatingAsync(string userId, AnnotationTarget target, int rating, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("annotation.rate", userId, () =>
        {
            CheckTarget(userId, target);
            if (rating is < 0 or > 5)
            {
                throw MetadataInput.Invalid(nameof(rating), $"A rating is 1 to 5, or 0 to clear it (got {rating.ToString(CultureInfo.InvariantCulture)}).");
            }

            return _context.WriteAsync(async (connection, transaction) =>
            {
                await RequireTrackAsync(connection, transaction, userId, target, cancellationToken).ConfigureAwait(false);
                await Upsert(connection, transaction, userId, target,
                        "starred_at, rating) VALUES (@u, @k, @k1, @k2, @tid, @n1, @n2, NULL, @r) ON CONFLICT (user_id, kind, key1, key2) DO UPDATE SET " +
                        "rating = excluded.rating, name1 = excluded.name1, name2 = excluded.name2")
                    .With("r", rating).ExecAsync(cancellationToken).ConfigureAwait(false);
                await DeleteEmptyAsync(connection, transaction, userId, target, cancellationToken).ConfigureAwait(false);
                return true;
            }, cancellationToken);
        });

    public Task<ItemAnnotation> GetAsync(string userId, AnnotationTarget target, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("annotation.get", userId, () =>
        {
            CheckTarget(userId, target);
            return _context.ReadAsync(async connection =>
                await Keyed(connection, null, "SELECT starred_at, rating FROM annotations", userId, target)
                    .FirstAsync(r => new ItemAnnotation(target, r.IsDBNull(0) ? null : r.GetTime(0), r.GetInt32(1)), new ItemAnnotation(target, null, 0), cancellationToken)
                    .ConfigureAwait(false), cancellationToken);
        });

    public Task<IReadOnlyList<TrackAnnotation>> GetTrackAnnotationsAsync(string userId, IReadOnlyList<Guid> trackIds, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("annotation.tracks", userId, () =>
        {
            MetadataInput.UserId(userId);
            MetadataInput.NotNull(trackIds, nameof(trackIds));
            if (trackIds.Count > TrackQuery.MaxPageSize)
            {
                throw MetadataInput.Invalid(nameof(trackIds), $"At most {TrackQuery.MaxPageSize} tracks at a time (got {trackIds.Count}).");
            }

            if (trackIds.Count == 0)
            {
                return Task.FromResult<IReadOnlyList<TrackAnnotation>>([]);
            }

            return _context.ReadAsync<IReadOnlyList<TrackAnnotation>>(async connection =>
            {
                var list = new StringBuilder(trackIds.Count * 6);
                for (int i = 0; i < trackIds.Count; i++)
                {
                    list.Append(i == 0 ? "@t" : ", @t").Append(i.ToString(CultureInfo.InvariantCulture));
                }

                var command = connection.Sql(null,
                    "SELECT t.id, a.starred_at, COALESCE(a.rating, 0), COALESCE(p.n, 0), p.last_played FROM tracks t " +
                    "LEFT JOIN annotations a ON a.track_id = t.id AND a.user_id = @u AND a.kind = 0 " +
                    $"LEFT JOIN (SELECT track_id, CAST(COUNT(*) AS BIGINT) AS n, MAX(played_at) AS last_played FROM plays WHERE user_id = @u AND track_id IN ({list}) GROUP BY track_id) p ON p.track_id = t.id " +
                    $"WHERE t.user_id = @u AND t.id IN ({list}) AND (a.track_id IS NOT NULL OR p.track_id IS NOT NULL)").With("u", userId);
                for (int i = 0; i < trackIds.Count; i++)
                {
                    command.With("t" + i.ToString(CultureInfo.InvariantCulture), trackIds[i]);
                }

                return await command.ListAsync(static r => new TrackAnnotation(
                    r.GetGuid(0), r.IsDBNull(1) ? null : r.GetTime(1), r.GetInt32(2), r.GetInt64(3), r.IsDBNull(4) ? null : r.GetTime(4)), cancellationToken).ConfigureAwait(false);
            }, cancellationToken);
        });

    public Task<IReadOnlyList<ItemAnnotation>> ListStarredAsync(string userId, AnnotationKind kind, int count = 50, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("annotation.starred", userId, () =>
        {
            MetadataInput.UserId(userId);
            MetadataInput.Defined(kind, nameof(kind));
            MetadataInput.PageSize(count, nameof(count));
            return _context.ReadAsync<IReadOnlyList<ItemAnnotation>>(async connection =>
                await connection.Sql(null,
                        "SELECT track_id, name1, name2, starred_at, rating FROM annotations WHERE user_id = @u AND kind = @k AND starred_at IS NOT NULL ORDER BY starred_at DESC, key1, key2 LIMIT @n")
                    .With("u", userId).With("k", (int)kind).With("n", count)
                    .ListAsync(r => new ItemAnnotation(
                        kind switch
                        {
                            AnnotationKind.Track => AnnotationTarget.Track(r.GetGuid(0)),
                            AnnotationKind.Album => AnnotationTarget.Album(r.GetNullableString(1), r.GetNullableString(2)),
                            _ => AnnotationTarget.Artist(r.GetNullableString(2)),
                        },
                        r.GetTime(3),
                        r.GetInt32(4)), cancellationToken).ConfigureAwait(false), cancellationToken);
        });

    public Task<IReadOnlyList<TrackRecord>> ListStarredTracksAsync(string userId, int count = 50, CancellationToken cancellationToken = default) =>
        MetadataTelemetry.TraceAsync("annotation.starred_tracks", userId, () =>
        {
            MetadataInput.UserId(userId);
            MetadataInput.PageSize(count, nameof(count));
            return _context.ReadAsync<IReadOnlyList<TrackRecord>>(async connection =>
                await connection.Sql(null,
                        $"SELECT {TrackRows.Columns} FROM annotations a JOIN tracks t ON t.id = a.track_id AND t.user_id = @u " +
                        "WHERE a.user_id = @u AND a.kind = 0 AND a.starred_at IS NOT NULL ORDER BY a.starred_at DESC, t.id LIMIT @n")
                    .With("u", userId).With("n", count)
                    .ListAsync(TrackRows.Read, cancellationToken).ConfigureAwait(false), cancellationToken);
        });

    private static void CheckTarget(string userId, AnnotationTarget target)
    {
        MetadataInput.UserId(userId);
        MetadataInput.Defined(target.Kind, nameof(target));
        MetadataInput.Text(target.AlbumArtist, "target.AlbumArtist", MetadataLimits.MaxTagLength, required: false);
        MetadataInput.Text(target.Name, "target.Name", MetadataLimits.MaxTagLength, required: false);
    }

    private static (string Key1, string Key2) Keys(AnnotationTarget target) => target.Kind switch
    {
        AnnotationKind.Track => (target.TrackId.ToString("D"), string.Empty),
        AnnotationKind.Album => (CatalogText.Fold(target.AlbumArtist), CatalogText.Fold(target.Name)),
        _ => (CatalogText.Fold(target.Name), string.Empty),
    };

    private static DbCommand Keyed(DbConnection connection, DbTransaction? transaction, string head, string userId, AnnotationTarget target, string condition = "")
    {
        var (key1, key2) = Keys(target);
        return connection.Sql(transaction, head + " WHERE user_id = @u AND kind = @k AND key1 = @k1 AND key2 = @k2" + condition)
            .With("u", userId).With("k", (int)target.Kind).With("k1", key1).With("k2", key2);
    }

    private DbCommand Upsert(DbConnection connection, DbTransaction transaction, string userId, AnnotationTarget target, string tail)
    {
        var (key1, key2) = Keys(target);
        return connection.Sql(transaction, "INSERT INTO annotations (user_id, kind, key1, key2, track_id, name1, name2, " + tail)
            .With("u", userId).With("k", (int)target.Kind).With("k1", key1).With("k2", key2)
            .WithNullable("tid", target.Kind == AnnotationKind.Track ? target.TrackId : null, DbType.Guid)
            .WithNullable("n1", target.AlbumArtist, DbType.String)
            .WithNullable("n2", target.Name, DbType.String)
            .With("now", _context.NowMs());
    }

    private static Task<int> DeleteEmptyAsync(DbConnection connection, DbTransaction transaction, string userId, AnnotationTarget target, CancellationToken cancellationToken) =>
        Keyed(connection, transaction, "DELETE FROM annotations", userId, target, " AND starred_at IS NULL AND rating = 0").ExecAsync(cancellationToken);

    private static async Task RequireTrackAsync(DbConnection connection, DbTransaction transaction, string userId, AnnotationTarget target, CancellationToken cancellationToken)
    {
        if (target.Kind != AnnotationKind.Track)
        {
            return;
        }

        long found = await connection.Sql(transaction, "SELECT COUNT(*) FROM tracks WHERE id = @t AND user_id = @u")
            .With("t", target.TrackId).With("u", userId).Int64Async(cancellationToken).ConfigureAwait(false);
        if (found == 0)
        {
            throw new MetadataNotFoundException(MetadataEntity.Track, target.TrackId.ToString(), userId);
        }
    }
}
