namespace MusicLocker.Metadata;

/// <summary>A user's tracks: add, edit, remove, browse, search, group by album, artist and genre.</summary>
public interface ITrackCatalog
{
    /// <summary>
    /// Catalogues a track and charges the quota in one transaction. Purchased tracks and copies of a file the user already
    /// uploaded (same <see cref="NewTrack.ContentHash"/> and <see cref="NewTrack.SizeBytes"/>) count zero. With
    /// <paramref name="reservationId"/> the reservation is committed (its bytes released, the track's charge taken);
    /// without one, the charge must fit in what is left. The storage key must lie under the user's own prefix.
    /// </summary>
    /// <exception cref="MetadataArgumentException">A field breaks the input rules (<see cref="MetadataLimits"/>), or the storage key is outside the user's prefix.</exception>
    /// <exception cref="Quota.QuotaExceededException">The charge does not fit; nothing was catalogued and the reservation stays.</exception>
    /// <exception cref="MetadataNotFoundException">The user does not exist, or the reservation was committed, released, has expired, or is another user's.</exception>
    Task<TrackRecord> AddTrackAsync(string userId, NewTrack track, Guid? reservationId = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Catalogues a track as <see cref="AddTrackAsync"/> does, unless the user already has a track with the same
    /// <see cref="NewTrack.AudioHash"/> (the audio payload, tags ignored): then nothing changes (the reservation stays for
    /// the caller to release) and that track is returned with <see cref="TrackAddition.Added"/> false. The rule is held by
    /// the database (a unique (user, audio hash) index over the tracks added this way, checked under the user's row
    /// lock), so two processes adding the same audio at once end with one track and one charge.
    /// </summary>
    /// <exception cref="MetadataArgumentException">A field breaks the input rules (<see cref="MetadataLimits"/>), or the storage key is outside the user's prefix.</exception>
    /// <exception cref="Quota.QuotaExceededException">The charge does not fit; nothing was catalogued and the reservation stays.</exception>
    /// <exception cref="MetadataNotFoundException">The user does not exist, or the reservation was committed, released, has expired, or is another user's.</exception>
    Task<TrackAddition> AddTrackIfNewAudioAsync(string userId, NewTrack track, Guid? reservationId = null, CancellationToken cancellationToken = default);

    /// <summary>The user's tracks with this audio payload hash (<see cref="TrackRecord.AudioHash"/>), oldest first; empty when none.</summary>
    /// <exception cref="MetadataArgumentException">The hash is empty or too long.</exception>
    Task<IReadOnlyList<TrackRecord>> FindByAudioHashAsync(string userId, string audioHash, CancellationToken cancellationToken = default);

    /// <summary>A track of the user.</summary>
    /// <exception cref="MetadataNotFoundException">The user has no such track.</exception>
    Task<TrackRecord> GetTrackAsync(string userId, Guid trackId, CancellationToken cancellationToken = default);

    /// <summary>The user's tracks whose file has this content hash (duplicate detection before an upload).</summary>
    Task<IReadOnlyList<TrackRecord>> FindByContentHashAsync(string userId, string contentHash, CancellationToken cancellationToken = default);

    /// <summary>Replaces a track's tags (a tag edit in the catalog; the stored file is not touched).</summary>
    /// <exception cref="MetadataNotFoundException">The user has no such track.</exception>
    Task<TrackRecord> UpdateTagsAsync(string userId, Guid trackId, TrackTags tags, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes a track from the catalog, its playlists and the listening history, and gives its quota back (when it was the
    /// counted copy of a file the user has twice, the remaining copy becomes the counted one).
    /// </summary>
    /// <exception cref="MetadataNotFoundException">The user has no such track.</exception>
    Task<TrackRemoval> RemoveTrackAsync(string userId, Guid trackId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every track of the user matching the query's filters, in its order, fetched <see cref="TrackQuery.PageSize"/> at a
    /// time (starting after <see cref="TrackQuery.Cursor"/> when set). Arguments are checked when enumeration starts.
    /// </summary>
    /// <exception cref="MetadataArgumentException">The cursor was not produced by a query with the same order, or a filter or the page size is out of range.</exception>
    IAsyncEnumerable<TrackRecord> BrowseAsync(string userId, TrackQuery query, CancellationToken cancellationToken = default);

    /// <summary>One page of the user's tracks, ordered and filtered as asked: for stateless paging (a web page per request).</summary>
    /// <exception cref="MetadataArgumentException">The cursor was not produced by a query with the same order, or a filter or the page size is out of range.</exception>
    Task<Page<TrackRecord>> BrowsePageAsync(string userId, TrackQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every track whose title, artist, album or album artist contain words starting with every word of <paramref name="text"/>,
    /// regardless of case and accents ("beyonce" finds "Beyoncé"), newest first. Arguments are checked when enumeration starts.
    /// </summary>
    /// <exception cref="MetadataArgumentException">The text is over <see cref="MetadataLimits.MaxSearchLength"/> characters or <see cref="MetadataLimits.MaxSearchWords"/> words.</exception>
    IAsyncEnumerable<TrackRecord> SearchAsync(string userId, string text, CancellationToken cancellationToken = default);

    /// <summary>One page of <see cref="SearchAsync"/>'s results, keyset-paged, for stateless paging.</summary>
    /// <exception cref="MetadataArgumentException">The text is over <see cref="MetadataLimits.MaxSearchLength"/> characters or <see cref="MetadataLimits.MaxSearchWords"/> words, or the cursor is not this listing's.</exception>
    Task<Page<TrackRecord>> SearchPageAsync(string userId, string text, int pageSize = 50, string? cursor = null, CancellationToken cancellationToken = default);

    /// <summary>"Latest uploads": the user's most recently added tracks, newest first.</summary>
    Task<IReadOnlyList<TrackRecord>> GetLatestAsync(string userId, int count = 50, CancellationToken cancellationToken = default);

    /// <summary>Every album of the user, ordered by album artist then title.</summary>
    IAsyncEnumerable<AlbumSummary> ListAlbumsAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>One page of the user's albums, ordered by album artist then title; keyset-paged.</summary>
    Task<Page<AlbumSummary>> ListAlbumsPageAsync(string userId, int pageSize = 50, string? cursor = null, CancellationToken cancellationToken = default);

    /// <summary>Every artist of the user, by name.</summary>
    IAsyncEnumerable<ArtistSummary> ListArtistsAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>One page of the user's artists, by name; keyset-paged.</summary>
    Task<Page<ArtistSummary>> ListArtistsPageAsync(string userId, int pageSize = 50, string? cursor = null, CancellationToken cancellationToken = default);

    /// <summary>Every genre of the user, by name.</summary>
    IAsyncEnumerable<GenreSummary> ListGenresAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>One page of the user's genres, by name; keyset-paged.</summary>
    Task<Page<GenreSummary>> ListGenresPageAsync(string userId, int pageSize = 50, string? cursor = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every track of the user ordered by storage key (ordinal) then id, paging internally: one side of a merge with a
    /// storage listing, which is in the same order (reconciliation). Never loads the whole catalog.
    /// </summary>
    IAsyncEnumerable<TrackRecord> ListByStorageKeyAsync(string userId, CancellationToken cancellationToken = default);
}
