namespace MusicLocker.Metadata;

/// <summary>
/// Cover-art edits: per track, a picture the user set (stored as its own object; the catalog keeps its key, type, length
/// and hash) or the cover removed. A track without an edit shows its file's own cover. Removing the track removes its
/// edit (<see cref="TrackRemoval.CoverStorageKey"/> names the picture whose object then goes).
/// </summary>
public interface ITrackCoverStore
{
    /// <summary>The track's cover edit; <see langword="null"/> when it has none (its file's own cover shows).</summary>
    /// <exception cref="MetadataNotFoundException">The user has no such track.</exception>
    Task<TrackCoverEdit?> GetAsync(string userId, Guid trackId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sets the track's cover to <paramref name="picture"/>, or marks it removed when <paramref name="picture"/> is
    /// <see langword="null"/>, in one transaction that also returns the picture it replaced. Concurrent edits of one
    /// track are serialised: each replaced picture is returned to exactly one caller, which deletes its object.
    /// </summary>
    /// <returns>The picture this edit replaced (its object is no longer referenced), or <see langword="null"/>.</returns>
    /// <exception cref="MetadataNotFoundException">The user has no such track.</exception>
    /// <exception cref="MetadataArgumentException">The picture's key is outside the user's prefix, or a field is empty or too long.</exception>
    Task<CoverPicture?> SetAsync(string userId, Guid trackId, CoverPicture? picture, CancellationToken cancellationToken = default);

    /// <summary>Drops the track's cover edit (its file's own cover shows again).</summary>
    /// <returns>The picture the edit held (its object is no longer referenced), or <see langword="null"/>.</returns>
    /// <exception cref="MetadataNotFoundException">The user has no such track.</exception>
    Task<CoverPicture?> ClearAsync(string userId, Guid trackId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The storage keys of every picture the user's cover edits hold, in ordinal order (the storage listing's order),
    /// paging internally: what reconciliation and the orphan sweep keep.
    /// </summary>
    IAsyncEnumerable<string> ListStorageKeysAsync(string userId, CancellationToken cancellationToken = default);
}
