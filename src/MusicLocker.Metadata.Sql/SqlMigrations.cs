using System.Data.Common;

namespace MusicLocker.Metadata.Sql;

/// <summary>
/// The data migrations every provider's schema runs at the same point in its history (the DDL differs per database; the
/// data they fix does not). A provider calls them from its <see cref="SqlDialect.MigrateAsync"/>, inside the migration's
/// transaction.
/// </summary>
public static class SqlMigrations
{
    /// <summary>
    /// Charges uploaded files that rode free: before a file was identified by hash and size, an upload was charged nothing
    /// when the user had any track with its content hash. For every (user, hash, size) group of uploaded tracks with no
    /// counted member, the oldest member takes its size as its charge and the user's usage grows by it.
    /// </summary>
    public static Task RepairLegacyChargesAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        LegacyChargeRepair.RunAsync(connection, transaction, cancellationToken);

    /// <summary>
    /// Rebuilds the album index (tables <c>album_index</c> and <c>album_genre_index</c>) from every user's tracks. The
    /// migration that creates the tables calls it; so must a tool that writes the <c>tracks</c> table with its own SQL (a
    /// bulk import, a benchmark seed), since only the catalog's own writes keep the index in step.
    /// </summary>
    public static Task RebuildAlbumIndexAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(transaction);
        return AlbumIndex.RebuildAsync(connection, transaction, cancellationToken);
    }

    /// <summary>The folded words a track's search matches (title, artist, album and album artist), as the engine writes them to <c>search_text</c>.</summary>
    public static string SearchText(TrackTags tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        return TrackRows.SearchText(tags);
    }
}
