using MusicLocker.Diagnostics;
using MusicLocker.Media;
using MusicLocker.Storage;

namespace MusicLocker.Internal;

internal sealed partial class UserDownloads(LockerCore core, UserTracks tracks) : ILockerDownloads
{
    public Task<long> DownloadToAsync(Guid trackId, Stream destination, DownloadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return LockerTelemetry.TraceAsync("download", tracks.UserId, activity => LockerErrors.GuardTrackRead(trackId, tracks.ExistsAsync, async () =>
        {
            var record = await tracks.GetRecordAsync(trackId, cancellationToken).ConfigureAwait(false);
            await core.Activity.TouchAsync(tracks.UserId, cancellationToken).ConfigureAwait(false);
            if (await EditedCopies.TryWriteAsync(core, tracks.Covers, record, options?.Id3v2Version ?? Id3v2Version.Default, destination, cancellationToken).ConfigureAwait(false) is { } written)
            {
                activity?.SetTag("musiclocker.bytes", written);
                return written;
            }

            var properties = await core.Objects.DownloadToAsync(BlobKey.Parse(record.StorageKey), destination, null, cancellationToken).ConfigureAwait(false);
            activity?.SetTag("musiclocker.bytes", properties.Length);
            return properties.Length;
        }, cancellationToken));
    }

    public Task<TrackContent> OpenReadAsync(Guid trackId, long offset = 0, long? length = null, CancellationToken cancellationToken = default)
    {
        if (offset < 0 || length is <= 0)
        {
            LockerErrors.ThrowInvalidArgument(length is <= 0 ? nameof(length) : nameof(offset), $"A range needs offset >= 0 and length > 0 (got offset {offset}, length {length}).");
        }

        return LockerTelemetry.TraceAsync("download", tracks.UserId, activity => LockerErrors.GuardTrackRead(trackId, tracks.ExistsAsync, async () =>
        {
            var record = await tracks.GetRecordAsync(trackId, cancellationToken).ConfigureAwait(false);
            await core.Activity.TouchAsync(tracks.UserId, cancellationToken).ConfigureAwait(false);
            activity?.SetTag("musiclocker.range.offset", offset);
            BlobDownload download;
            try
            {
                download = await core.Objects.OpenReadAsync(BlobKey.Parse(record.StorageKey), new ReadBlobOptions { Range = new ByteRange(offset, length) }, cancellationToken).ConfigureAwait(false);
            }
            catch (RangeNotSatisfiableException ex)
            {
                throw new LockerException(LockerErrorCode.InvalidArgument, $"offset: the range starts at {offset:N0}, at or past the end of the {record.SizeBytes:N0}-byte file.", ex);
            }

            return new TrackContent(new TranslatingReadStream(download.Content), download.Offset, download.Length, download.Properties.Length, download.Properties.ContentType ?? "application/octet-stream");
        }, cancellationToken));
    }

    public Task<CoverArt> OpenCoverArtAsync(Guid trackId, CancellationToken cancellationToken = default) =>
        LockerErrors.GuardTrackRead(trackId, tracks.ExistsAsync, async () =>
        {
            // The user's cover edit first (it also proves the track is theirs): a set picture, or the cover removed. A picture
            // replaced (or the edit undone) between reading the edit and its bytes is gone: the edit is read once more.
            for (int attempt = 0; await tracks.Covers.GetEditAsync(trackId, cancellationToken).ConfigureAwait(false) is { } edit; attempt++)
            {
                if (edit.Picture is not { } edited)
                {
                    throw new LockerException(LockerErrorCode.CoverArtNotFound, $"Track {trackId}'s cover was removed.");
                }

                try
                {
                    return await tracks.Covers.OpenAsync(edited, cancellationToken).ConfigureAwait(false);
                }
                catch (BlobNotFoundException) when (attempt == 0)
                {
                }
            }

            var (record, info) = await tracks.GetInfoAsync(trackId, cancellationToken).ConfigureAwait(false);
            if (info.Cover is not { } cover)
            {
                throw new LockerException(LockerErrorCode.CoverArtNotFound, $"Track {trackId} has no cover picture.");
            }

            var properties = await core.Objects.GetPropertiesAsync(BlobKey.Parse(record.StorageKey), cancellationToken).ConfigureAwait(false);
            byte[] picture = await MediaProber.ReadCoverArtAsync(new BlobRandomAccessSource(core.Objects, properties), cover, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new CoverArt(new MemoryStream(picture, writable: false), cover.MimeType, picture.Length);
        }, cancellationToken);
}
