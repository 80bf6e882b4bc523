namespace MusicLocker.Metadata;

/// <summary>A track's cover edit: a picture the user set, or the cover removed.</summary>
/// <param name="TrackId">The track.</param>
/// <param name="Picture">The picture shown instead of the file's own; <see langword="null"/> when the user removed the cover.</param>
/// <param name="UpdatedAt">When the edit was made (the metadata store's clock).</param>
public sealed record TrackCoverEdit(Guid TrackId, CoverPicture? Picture, DateTimeOffset UpdatedAt)
{
    /// <summary>Whether the user removed the cover (no picture is shown, whatever the file holds).</summary>
    public bool IsRemoved => Picture is null;
}
