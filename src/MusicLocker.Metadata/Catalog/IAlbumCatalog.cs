namespace MusicLocker.Metadata;

/// <summary>Album lists in the orders players ask for.</summary>
public interface IAlbumCatalog
{
    /// <summary>One page of the user's albums in the query's order.</summary>
    /// <exception cref="MetadataArgumentException">The count, offset or a filter is out of range.</exception>
    Task<IReadOnlyList<AlbumEntry>> ListAlbumsAsync(string userId, AlbumListQuery query, CancellationToken cancellationToken = default);
}
