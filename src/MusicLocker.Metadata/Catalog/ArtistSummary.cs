namespace MusicLocker.Metadata;

/// <summary>An artist of the user's tracks.</summary>
/// <param name="Name">The artist's name (as first tagged).</param>
/// <param name="TrackCount">Their tracks.</param>
/// <param name="AlbumCount">The distinct albums those tracks are on.</param>
public sealed record ArtistSummary(string? Name, int TrackCount, int AlbumCount);
