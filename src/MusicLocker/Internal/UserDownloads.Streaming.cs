using MusicLocker.Storage;

namespace MusicLocker.Internal;

internal sealed partial class UserDownloads
{
    public Task<StreamableTrack> OpenStreamAsync(Guid trackId, CancellationToken cancellationToken = default) =>
        LockerErrors.Guard(async () =>
        {
            var record = await tracks.GetRecordAsync(trackId, cancellationToken).ConfigureAwait(false);
            var key = BlobKey.Parse(record.StorageKey);
            var properties = await core.Objects.GetPropertiesAsync(key, cancellationToken).ConfigureAwait(false);

            // A presigned URL reads the raw object: only plaintext objects may be handed out that way.
            var urls = core.Options.Encrypt ? null : core.Raw as IBlobReadUrlSource;
            return new StreamableTrack(trackId, core.Objects, key, properties, urls, ct => ReadSeekIndexAsync(key, ct));
        });

    private async Task<byte[]?> ReadSeekIndexAsync(BlobKey key, CancellationToken cancellationToken)
    {
        var info = await LockerDocuments.ReadAsync<StoredTrackInfo>(core.Objects, LockerKeys.Info(key), cancellationToken).ConfigureAwait(false);
        return info.SeekIndex;
    }
}
