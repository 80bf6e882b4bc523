namespace MusicLocker.Metadata;

/// <summary>A genre of the user's tracks.</summary>
/// <param name="Name">The genre (as first tagged).</param>
/// <param name="TrackCount">Its tracks.</param>
public sealed record GenreSummary(string? Name, int TrackCount)
{
    /// <summary>The distinct album titles its tracks are on.</summary>
    public int AlbumCount { get; init; }
}
