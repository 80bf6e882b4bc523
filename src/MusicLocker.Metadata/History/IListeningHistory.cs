namespace MusicLocker.Metadata;

/// <summary>
/// What the user listened to, and their right to turn it off: while history is off nothing is recorded, and turning it
/// off erases what was recorded (play counts included).
/// </summary>
public interface IListeningHistory
{
    /// <summary>Records that the user played a track now (the store's clock).</summary>
    /// <returns><see langword="false"/> when the user has turned history off (nothing recorded).</returns>
    /// <exception cref="MetadataNotFoundException">The user has no such track.</exception>
    Task<bool> RecordPlayAsync(string userId, Guid trackId, CancellationToken cancellationToken = default);

    /// <summary>The most recent plays, newest first.</summary>
    Task<IReadOnlyList<PlayRecord>> GetRecentlyPlayedAsync(string userId, int count = 50, CancellationToken cancellationToken = default);

    /// <summary>The most played tracks, most plays first.</summary>
    Task<IReadOnlyList<TrackPlayCount>> GetMostPlayedAsync(string userId, int count = 50, CancellationToken cancellationToken = default);

    /// <summary>The recorded plays of one track.</summary>
    Task<long> GetPlayCountAsync(string userId, Guid trackId, CancellationToken cancellationToken = default);

    /// <summary>Turns history on or off. Turning it off erases every recorded play of the user, in the same transaction.</summary>
    /// <returns>The plays erased.</returns>
    /// <exception cref="MetadataNotFoundException">The user does not exist.</exception>
    Task<long> SetEnabledAsync(string userId, bool enabled, CancellationToken cancellationToken = default);

    /// <summary>Every play of the user, oldest first, paging internally (an export streams it; nothing is loaded whole).</summary>
    IAsyncEnumerable<PlayRecord> ListPlaysAsync(string userId, CancellationToken cancellationToken = default);
}
