namespace MusicLocker.Metadata;

/// <summary>An album: tracks grouped by album artist and album title.</summary>
/// <param name="AlbumArtist">The album artist (or the artist of tracks without one).</param>
/// <param name="Title">The album title.</param>
/// <param name="TrackCount">The user's tracks on it.</param>
/// <param name="Duration">Their total duration.</param>
/// <param name="Year">The latest year tagged on its tracks.</param>
public sealed record AlbumSummary(string? AlbumArtist, string? Title, int TrackCount, TimeSpan Duration, int? Year);
