using MusicLocker.Media;
using MusicLocker.Storage;

namespace MusicLocker.Internal;

internal sealed partial class UserDownloads
{
    public Task<StreamableTrack> OpenStreamAsync(Guid trackId, CancellationToken cancellationToken = default) =>
        LockerErrors.GuardTrackRead(trackId, tracks.ExistsAsync, async () =>
        {
            var record = await tracks.GetRecordAsync(trackId, cancellationToken).ConfigureAwait(false);
            var key = BlobKey.Parse(record.StorageKey);
            var properties = await core.Objects.GetPropertiesAsync(key, cancellationToken).ConfigureAwait(false);

            // A presigned URL reads the raw object: only plaintext objects may be handed out that way.
            var urls = core.Options.Encrypt ? null : core.Raw as IBlobReadUrlSource;
            return new StreamableTrack(trackId, core.Objects, key, properties, urls, ct => ReadSeekIndexAsync(key, properties.ETag, ct), tracks.ExistsAsync);
        }, cancellationToken);

    /// <summary>The seek index of the track version <paramref name="version"/>, or null when it has none (MP4).</summary>
    private async Task<SeekIndex?> ReadSeekIndexAsync(BlobKey key, ETag version, CancellationToken cancellationToken)
    {
        if (core.SeekIndexes.TryGet(key, version, out var cached))
        {
            return cached;
        }

        var info = await LockerDocuments.ReadAsync<StoredTrackInfo>(core.Objects, LockerKeys.Info(key), cancellationToken).ConfigureAwait(false);
        if (info.SeekIndex is not { Length: > 0 } data)
        {
            return null;
        }

        var index = SeekIndex.Parse(data);
        core.SeekIndexes.Add(key, version, index);
        return index;
    }
}
