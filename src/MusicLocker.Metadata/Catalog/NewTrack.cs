namespace MusicLocker.Metadata;

/// <summary>A track to catalogue, after its bytes were stored.</summary>
/// <param name="Tags">Its tags.</param>
/// <param name="Duration">Its exact duration.</param>
/// <param name="Codec">Its codec (e.g. <c>mp3</c>, <c>aac</c>).</param>
/// <param name="BitrateKbps">Its (average) bitrate in kbit/s.</param>
/// <param name="SizeBytes">The file's size in bytes, as the user uploaded it.</param>
/// <param name="ContentHash">The hash of the whole file; identical files of one user are counted once.</param>
/// <param name="AudioHash">The hash of the audio payload alone (tags excluded), to find the same recording with other tags.</param>
/// <param name="IsPurchased">Set by the app for music bought in its store: it does not count against the quota.</param>
/// <param name="StorageKey">The key its bytes are stored under.</param>
public sealed record NewTrack(
    TrackTags Tags,
    TimeSpan Duration,
    string Codec,
    int BitrateKbps,
    long SizeBytes,
    string ContentHash,
    string AudioHash,
    bool IsPurchased,
    string StorageKey);
