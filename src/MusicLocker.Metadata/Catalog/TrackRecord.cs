namespace MusicLocker.Metadata;

/// <summary>A catalogued track.</summary>
/// <param name="Id">The track id.</param>
/// <param name="UserId">Its owner.</param>
/// <param name="Tags">Its tags.</param>
/// <param name="Duration">Its duration.</param>
/// <param name="Codec">Its codec.</param>
/// <param name="BitrateKbps">Its bitrate in kbit/s.</param>
/// <param name="SizeBytes">The file's size.</param>
/// <param name="ChargedBytes">What it counts against the quota: its size, or zero when purchased or a duplicate.</param>
/// <param name="ContentHash">The hash of the whole file.</param>
/// <param name="AudioHash">The hash of the audio payload.</param>
/// <param name="IsPurchased">Whether the app marked it purchased.</param>
/// <param name="AddedAt">When it was catalogued.</param>
/// <param name="StorageKey">The key its bytes are stored under.</param>
public sealed record TrackRecord(
    Guid Id,
    string UserId,
    TrackTags Tags,
    TimeSpan Duration,
    string Codec,
    int BitrateKbps,
    long SizeBytes,
    long ChargedBytes,
    string ContentHash,
    string AudioHash,
    bool IsPurchased,
    DateTimeOffset AddedAt,
    string StorageKey);
