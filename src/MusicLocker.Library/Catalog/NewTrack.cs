namespace MusicLocker.Library;

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
    string StorageKey)
{
    /// <summary>Checks every field against <see cref="MetadataLimits"/>; the storage key must lie under <paramref name="storageKeyPrefix"/>.</summary>
    internal void Validate(string storageKeyPrefix, string parameter)
    {
        MetadataInput.NotNull(Tags, parameter + ".Tags");
        Tags.Validate(parameter + ".Tags");
        if (Duration < TimeSpan.Zero)
        {
            throw MetadataInput.Invalid(parameter + ".Duration", $"A track's duration cannot be negative (got {Duration}).");
        }

        MetadataInput.Identifier(Codec, parameter + ".Codec", MetadataLimits.MaxIdentifierLength);
        if (BitrateKbps < 0)
        {
            throw MetadataInput.Invalid(parameter + ".BitrateKbps", $"A bitrate cannot be negative (got {BitrateKbps}).");
        }

        MetadataInput.Bytes(SizeBytes, parameter + ".SizeBytes");
        MetadataInput.Identifier(ContentHash, parameter + ".ContentHash", MetadataLimits.MaxIdentifierLength);
        MetadataInput.Identifier(AudioHash, parameter + ".AudioHash", MetadataLimits.MaxIdentifierLength);
        MetadataInput.StorageKey(StorageKey, storageKeyPrefix, parameter + ".StorageKey");
    }
}
