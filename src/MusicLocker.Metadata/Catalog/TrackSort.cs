namespace MusicLocker.Metadata;

/// <summary>How browsed tracks are ordered. Text compares without regard to case or accents.</summary>
public enum TrackSort
{
    /// <summary>By title.</summary>
    Title = 0,

    /// <summary>By artist, then album, disc, track number and title.</summary>
    Artist,

    /// <summary>By album artist, then album, disc, track number and title.</summary>
    Album,

    /// <summary>Newest first ("Latest uploads").</summary>
    RecentlyAdded,
}
