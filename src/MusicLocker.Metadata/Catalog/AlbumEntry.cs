namespace MusicLocker.Metadata;

/// <summary>An album in an album list, with what players show beside it.</summary>
/// <param name="AlbumArtist">The album artist (or the artist of tracks without one).</param>
/// <param name="Title">The album title.</param>
/// <param name="TrackCount">The user's tracks on it.</param>
/// <param name="Duration">Their total duration.</param>
/// <param name="Year">The latest year tagged on its tracks.</param>
/// <param name="Genre">A genre tagged on its tracks.</param>
/// <param name="FirstTrackId">Its first track (disc and track order): the one whose cover stands for the album.</param>
/// <param name="AddedAt">Its latest upload.</param>
/// <param name="PlayCount">Plays of its tracks.</param>
/// <param name="LastPlayedAt">Its latest play.</param>
/// <param name="StarredAt">When the user starred it.</param>
/// <param name="Rating">The user's rating, 0 when unrated.</param>
public sealed record AlbumEntry(
    string? AlbumArtist,
    string? Title,
    int TrackCount,
    TimeSpan Duration,
    int? Year,
    string? Genre,
    Guid FirstTrackId,
    DateTimeOffset AddedAt,
    long PlayCount,
    DateTimeOffset? LastPlayedAt,
    DateTimeOffset? StarredAt,
    int Rating);
