namespace MusicLocker.Metadata;

/// <summary>A user's playlists. A track can be in many playlists, and more than once in one.</summary>
public interface IPlaylistStore
{
    /// <summary>Creates an empty playlist.</summary>
    /// <exception cref="MetadataNotFoundException">The user does not exist.</exception>
    Task<Playlist> CreateAsync(string userId, string name, CancellationToken cancellationToken = default);

    /// <summary>Renames a playlist.</summary>
    /// <exception cref="MetadataNotFoundException">The user has no such playlist.</exception>
    Task<Playlist> RenameAsync(string userId, Guid playlistId, string name, CancellationToken cancellationToken = default);

    /// <summary>Deletes a playlist (its tracks stay in the catalog).</summary>
    /// <returns><see langword="false"/> when the user had no such playlist.</returns>
    Task<bool> DeleteAsync(string userId, Guid playlistId, CancellationToken cancellationToken = default);

    /// <summary>A playlist.</summary>
    /// <exception cref="MetadataNotFoundException">The user has no such playlist.</exception>
    Task<Playlist> GetAsync(string userId, Guid playlistId, CancellationToken cancellationToken = default);

    /// <summary>The user's playlists, by name (without regard to case or accents).</summary>
    IAsyncEnumerable<Playlist> ListAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>The playlist's entries in order.</summary>
    /// <exception cref="MetadataNotFoundException">The user has no such playlist.</exception>
    Task<IReadOnlyList<PlaylistEntry>> GetEntriesAsync(string userId, Guid playlistId, CancellationToken cancellationToken = default);

    /// <summary>Adds tracks, in the order given, at <paramref name="index"/> (0 to the entry count; <see langword="null"/> appends).</summary>
    /// <returns>The new entries.</returns>
    /// <exception cref="MetadataNotFoundException">The user has no such playlist, or no such track.</exception>
    /// <exception cref="MetadataArgumentException">The index is outside 0 to the entry count.</exception>
    Task<IReadOnlyList<PlaylistEntry>> AddTracksAsync(string userId, Guid playlistId, IReadOnlyList<Guid> trackIds, int? index = null, CancellationToken cancellationToken = default);

    /// <summary>Removes one entry; the entries after it move up.</summary>
    /// <exception cref="MetadataNotFoundException">The playlist or the entry does not exist.</exception>
    Task RemoveEntryAsync(string userId, Guid playlistId, Guid entryId, CancellationToken cancellationToken = default);

    /// <summary>Moves one entry to <paramref name="newIndex"/> (0 to entry count − 1); the others keep their relative order.</summary>
    /// <exception cref="MetadataNotFoundException">The playlist or the entry does not exist.</exception>
    /// <exception cref="MetadataArgumentException">The index is outside the playlist.</exception>
    Task MoveEntryAsync(string userId, Guid playlistId, Guid entryId, int newIndex, CancellationToken cancellationToken = default);
}
