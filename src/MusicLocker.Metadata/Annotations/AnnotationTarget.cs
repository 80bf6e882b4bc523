namespace MusicLocker.Metadata;

/// <summary>
/// What a star or rating is on: a track by id, or an album or artist by name. Albums and artists are matched the way the
/// catalog groups them (case- and accent-insensitive), so an annotation follows the album however its tags are spelled.
/// </summary>
public readonly record struct AnnotationTarget
{
    private AnnotationTarget(AnnotationKind kind, Guid trackId, string? albumArtist, string? name)
    {
        Kind = kind;
        TrackId = trackId;
        AlbumArtist = albumArtist;
        Name = name;
    }

    /// <summary>The kind of item.</summary>
    public AnnotationKind Kind { get; }

    /// <summary>The track (for <see cref="AnnotationKind.Track"/>).</summary>
    public Guid TrackId { get; }

    /// <summary>The album artist (for <see cref="AnnotationKind.Album"/>).</summary>
    public string? AlbumArtist { get; }

    /// <summary>The album title or the artist name.</summary>
    public string? Name { get; }

    /// <summary>A track.</summary>
    public static AnnotationTarget Track(Guid trackId) => new(AnnotationKind.Track, trackId, null, null);

    /// <summary>An album, by album artist (else artist) and title.</summary>
    public static AnnotationTarget Album(string? albumArtist, string? title) => new(AnnotationKind.Album, Guid.Empty, albumArtist, title);

    /// <summary>An artist, by name.</summary>
    public static AnnotationTarget Artist(string? name) => new(AnnotationKind.Artist, Guid.Empty, null, name);
}
