namespace MusicLocker.Metadata;

/// <summary>A track's normalised tags, as the media layer read them or the user edited them.</summary>
/// <param name="Title">The title; required (apps fall back to the file name).</param>
/// <param name="Artist">The track artist.</param>
/// <param name="Album">The album title.</param>
/// <param name="AlbumArtist">The album artist; albums are grouped by it, falling back to <paramref name="Artist"/>.</param>
/// <param name="Genre">The genre.</param>
/// <param name="Year">The release year.</param>
/// <param name="TrackNumber">The track's number on its disc (1-based).</param>
/// <param name="TrackCount">The number of tracks on the disc.</param>
/// <param name="DiscNumber">The disc's number (1-based).</param>
/// <param name="DiscCount">The number of discs.</param>
/// <param name="Comment">The comment.</param>
/// <param name="Compilation">Whether a tag marks the track as part of a compilation.</param>
public sealed record TrackTags(
    string Title,
    string? Artist = null,
    string? Album = null,
    string? AlbumArtist = null,
    string? Genre = null,
    int? Year = null,
    int? TrackNumber = null,
    int? TrackCount = null,
    int? DiscNumber = null,
    int? DiscCount = null,
    string? Comment = null,
    bool? Compilation = null)
{
    /// <summary>The artist albums are grouped under: the album artist, else the track artist.</summary>
    public string? EffectiveAlbumArtist => string.IsNullOrWhiteSpace(AlbumArtist) ? Artist : AlbumArtist;

}
