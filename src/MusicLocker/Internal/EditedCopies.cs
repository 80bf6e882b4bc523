using MusicLocker.Media;
using MusicLocker.Metadata;
using MusicLocker.Storage;

namespace MusicLocker.Internal;

/// <summary>
/// Copies of stored originals carrying the catalog's view (tags, compilation flag, cover edit), written through the
/// app's <see cref="MusicLockerOptions.TagCopyWriter"/>: the one path downloads and exports share.
/// </summary>
internal static class EditedCopies
{
    /// <summary>
    /// Writes the stored original with the catalog's view, its audio copied by ranged reads of one version; null, having
    /// written nothing, when there is no writer, the catalog shows the file as it is, or the writer cannot edit the format.
    /// </summary>
    public static async Task<long?> TryWriteAsync(LockerCore core, TrackCovers covers, TrackRecord record, Id3v2Version version, Stream destination, CancellationToken cancellationToken)
    {
        if (core.Options.TagCopyWriter is not { } writer)
        {
            return null;
        }

        if (version is not (Id3v2Version.Default or Id3v2Version.V23 or Id3v2Version.V24))
        {
            LockerErrors.ThrowInvalidArgument("options.Id3v2Version", $"ID3v2.3, ID3v2.4 or Default (got {version}).");
        }

        var properties = await core.Objects.GetPropertiesAsync(BlobKey.Parse(record.StorageKey), cancellationToken).ConfigureAwait(false);
        var source = new BlobRandomAccessSource(core.Objects, properties);
        var info = await new MediaProber().ProbeAsync(source, cancellationToken).ConfigureAwait(false);
        var cover = await covers.GetEditAsync(record.Id, cancellationToken).ConfigureAwait(false);
        var tags = CatalogTagChanges.Between(info.Tags, record.Tags);
        if (tags is null && cover is null)
        {
            return null;
        }

        var request = new TagCopyRequest
        {
            Tags = tags ?? CatalogTagChanges.All(record.Tags),
            CoverArt = cover?.Picture is { } picture ? await covers.ReadAsync(picture, cancellationToken).ConfigureAwait(false) : ReadOnlyMemory<byte>.Empty,
            CoverArtMimeType = cover?.Picture?.MimeType,
            RemoveCoverArt = cover is { IsRemoved: true },
            Id3v2Version = version,
        };
        try
        {
            return await writer.WriteTaggedCopyAsync(source, info, request, destination, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException ex)
        {
            // The writer checks the values before it writes a byte: a catalog value no tag can hold (a track number
            // above 65535, a negative year) is the caller's to fix.
            throw new LockerException(LockerErrorCode.InvalidArgument, $"Track {record.Id}'s tags cannot be written into its file: {ex.Message} Edit the track's tags.", ex);
        }
    }
}
