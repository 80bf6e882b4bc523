namespace MusicLocker.Metadata;

/// <summary>What a star or rating is on.</summary>
public enum AnnotationKind
{
    /// <summary>A track; identified by its id.</summary>
    Track = 0,

    /// <summary>An album; identified by album artist and title.</summary>
    Album,

    /// <summary>An artist; identified by name.</summary>
    Artist,
}
