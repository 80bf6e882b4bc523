using MusicLocker.Media;
using MusicLocker.Storage;

namespace MusicLocker.Internal;

internal sealed partial class UserDownloads(LockerCore core, UserTracks tracks) : ILockerDownloads
{
    public Task<long> DownloadToAsync(Guid trackId, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return LockerErrors.Guard(async () =>
        {
            var record = await tracks.GetRecordAsync(trackId, cancellationToken).ConfigureAwait(false);
            var key = BlobKey.Parse(record.StorageKey);
            if (core.Options.TagCopyWriter is { } writer && await WriteEditedCopyAsync(writer, record, destination, cancellationToken).ConfigureAwait(false) is { } written)
            {
                return written;
            }

            var properties = await core.Objects.DownloadToAsync(key, destination, null, cancellationToken).ConfigureAwait(false);
            return properties.Length;
        });
    }

    /// <summary>
    /// Writes the stored original with the catalog's tags, its audio copied by ranged reads of one version; null, having
    /// written nothing, when the catalog shows the file's own tags or the writer cannot edit the format.
    /// </summary>
    private async Task<long?> WriteEditedCopyAsync(ITagCopyWriter writer, Metadata.TrackRecord record, Stream destination, CancellationToken cancellationToken)
    {
        var properties = await core.Objects.GetPropertiesAsync(BlobKey.Parse(record.StorageKey), cancellationToken).ConfigureAwait(false);
        var source = new BlobRandomAccessSource(core.Objects, properties);
        var info = await new MediaProber().ProbeAsync(source, cancellationToken).ConfigureAwait(false);
        if (CatalogTagChanges.Between(info.Tags, record.Tags) is not { } changes)
        {
            return null;
        }

        try
        {
            return await writer.WriteTaggedCopyAsync(source, info, changes, destination, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException ex)
        {
            // The writer checks the values before it writes a byte: a catalog value no tag can hold (a track number
            // above 65535, a negative year) is the caller's to fix.
            throw new LockerException(LockerErrorCode.InvalidArgument, $"Track {record.Id}'s tags cannot be written into its file: {ex.Message} Edit the track's tags.", ex);
        }
    }

    public Task<TrackContent> OpenReadAsync(Guid trackId, long offset = 0, long? length = null, CancellationToken cancellationToken = default)
    {
        if (offset < 0 || length is <= 0)
        {
            LockerErrors.ThrowInvalidArgument(length is <= 0 ? nameof(length) : nameof(offset), $"A range needs offset >= 0 and length > 0 (got offset {offset}, length {length}).");
        }

        return LockerErrors.Guard(async () =>
        {
            var record = await tracks.GetRecordAsync(trackId, cancellationToken).ConfigureAwait(false);
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
        });
    }

    public Task<CoverArt> OpenCoverArtAsync(Guid trackId, CancellationToken cancellationToken = default) =>
        LockerErrors.Guard(async () =>
        {
            var (record, info) = await tracks.GetInfoAsync(trackId, cancellationToken).ConfigureAwait(false);
            if (info.Cover is not { } cover)
            {
                throw new LockerException(LockerErrorCode.CoverArtNotFound, $"Track {trackId} has no cover picture.");
            }

            var properties = await core.Objects.GetPropertiesAsync(BlobKey.Parse(record.StorageKey), cancellationToken).ConfigureAwait(false);
            byte[] picture = await MediaProber.ReadCoverArtAsync(new BlobRandomAccessSource(core.Objects, properties), cover, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new CoverArt(new MemoryStream(picture, writable: false), cover.MimeType, picture.Length);
        });
}
