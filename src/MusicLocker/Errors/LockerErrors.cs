using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using MusicLocker.Crypto;
using MusicLocker.Metadata;
using MusicLocker.Media;
using MusicLocker.Metadata.Quota;
using MusicLocker.Storage;

namespace MusicLocker;

/// <summary>The one translation point from the layers' errors to <see cref="LockerException"/>.</summary>
internal static class LockerErrors
{
    /// <summary>Whether <paramref name="ex"/> is a layer error this class translates (never cancellation, never ours).</summary>
    public static bool IsLayerError(Exception ex) =>
        ex is MediaFormatException or LockerMetadataException or BlobStoreException;

    /// <summary>Runs a locker call, translating layer errors.</summary>
    public static async Task<T> Guard<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception ex) when (IsLayerError(ex))
        {
            throw Translate(ex);
        }
    }

    /// <summary>
    /// Runs a read of track <paramref name="trackId"/>'s stored objects, translating layer errors. An object found missing
    /// is <see cref="LockerErrorCode.Inconsistent"/> only while the catalog still has the track: a track deleted meanwhile
    /// (a delete racing the read) is <see cref="LockerErrorCode.TrackNotFound"/>.
    /// </summary>
    public static async Task<T> GuardTrackRead<T>(Guid trackId, Func<Guid, CancellationToken, Task<bool>> trackExists, Func<Task<T>> read, CancellationToken cancellationToken)
    {
        try
        {
            return await Guard(read).ConfigureAwait(false);
        }
        catch (LockerException ex) when (ex.ErrorCode == LockerErrorCode.Inconsistent && ex.InnerException is BlobNotFoundException)
        {
            if (await trackExists(trackId, cancellationToken).ConfigureAwait(false))
            {
                throw;
            }

            throw new LockerException(LockerErrorCode.TrackNotFound, $"The user has no track {trackId} (it was deleted while it was being read).", ex);
        }
    }

    /// <summary>Runs a locker call, translating layer errors.</summary>
    public static async Task Guard(Func<Task> call)
    {
        try
        {
            await call().ConfigureAwait(false);
        }
        catch (Exception ex) when (IsLayerError(ex))
        {
            throw Translate(ex);
        }
    }

    /// <summary>Enumerates a layer's listing, translating its errors.</summary>
    public static async IAsyncEnumerable<T> Guard<T>(IAsyncEnumerable<T> source, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var items = source.GetAsyncEnumerator(cancellationToken);
        await using (items.ConfigureAwait(false))
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await items.MoveNextAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (IsLayerError(ex))
                {
                    throw Translate(ex);
                }

                if (!more)
                {
                    yield break;
                }

                yield return items.Current;
            }
        }
    }

    /// <summary>A layer's listing collected into a list (small listings: a user's open uploads).</summary>
    public static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source, CancellationToken cancellationToken)
    {
        var list = new List<T>();
        await foreach (var item in source.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            list.Add(item);
        }

        return list;
    }

    public static LockerException Translate(Exception ex) => ex switch
    {
        MediaFormatException media => new LockerException(FromMedia(media.ErrorCode), media.Message, media),
        QuotaExceededException quota => new LockerQuotaExceededException(quota.Message, quota.NeededBytes, quota.AvailableBytes, quota.LimitBytes, quota),
        MetadataNotFoundException notFound => new LockerException(FromEntity(notFound.Entity), NotFoundMessage(notFound.Entity), notFound),
        LockerMetadataException metadata => new LockerException(FromMetadata(metadata.ErrorCode), metadata.Message, metadata),
        KeyDestroyedException destroyed => new LockerException(LockerErrorCode.KeyDestroyed, "The user's key was destroyed (the account was deleted): the object cannot be read.", destroyed),
        BlobNotFoundException missing => new LockerException(LockerErrorCode.Inconsistent, "A catalogued object is missing from storage; run reconcile.", missing),
        BlobStoreException blob => new LockerException(FromBlob(blob.ErrorCode), blob.Message, blob),
        _ => new LockerException(LockerErrorCode.Unknown, ex.Message, ex),
    };

    [DoesNotReturn]
    public static void ThrowTrackNotFound(Guid trackId) =>
        throw new LockerException(LockerErrorCode.TrackNotFound, $"The user has no track {trackId}.");

    [DoesNotReturn]
    public static void ThrowInvalidArgument(string parameter, string message) =>
        throw new LockerException(LockerErrorCode.InvalidArgument, $"{parameter}: {message}");

    private static LockerErrorCode FromMedia(MediaErrorCode code) => code switch
    {
        MediaErrorCode.UnsupportedFormat => LockerErrorCode.UnsupportedFormat,
        MediaErrorCode.DrmProtected => LockerErrorCode.DrmProtected,
        MediaErrorCode.Empty => LockerErrorCode.EmptyFile,
        MediaErrorCode.Corrupt => LockerErrorCode.CorruptFile,
        MediaErrorCode.LimitExceeded => LockerErrorCode.FileTooComplex,
        MediaErrorCode.NotFound => LockerErrorCode.FileNotFound,
        MediaErrorCode.Unreadable => LockerErrorCode.FileUnreadable,
        _ => LockerErrorCode.Unknown,
    };

    private static LockerErrorCode FromEntity(MetadataEntity entity) => entity switch
    {
        MetadataEntity.Track => LockerErrorCode.TrackNotFound,
        MetadataEntity.Playlist or MetadataEntity.PlaylistEntry => LockerErrorCode.PlaylistNotFound,
        MetadataEntity.UploadSession or MetadataEntity.QuotaReservation => LockerErrorCode.UploadNotFound,
        _ => LockerErrorCode.Unknown,
    };

    // The id is not echoed: "not found" must read the same for a forged id and another user's.
    private static string NotFoundMessage(MetadataEntity entity) => $"The user has no such {entity}.";

    private static LockerErrorCode FromMetadata(MetadataErrorCode code) => code switch
    {
        MetadataErrorCode.Conflict => LockerErrorCode.Conflict,
        MetadataErrorCode.QuotaExceeded => LockerErrorCode.QuotaExceeded,
        MetadataErrorCode.Unavailable => LockerErrorCode.Unavailable,
        MetadataErrorCode.InvalidArgument => LockerErrorCode.InvalidArgument,
        _ => LockerErrorCode.Unknown,
    };

    private static LockerErrorCode FromBlob(BlobErrorCode code) => code switch
    {
        BlobErrorCode.Unavailable => LockerErrorCode.Unavailable,
        BlobErrorCode.ConditionFailed => LockerErrorCode.Conflict,
        BlobErrorCode.IntegrityCheckFailed => LockerErrorCode.IntegrityCheckFailed,
        BlobErrorCode.KeyDestroyed => LockerErrorCode.KeyDestroyed,
        BlobErrorCode.InvalidArgument or BlobErrorCode.InvalidKey or BlobErrorCode.RangeNotSatisfiable => LockerErrorCode.InvalidArgument,
        _ => LockerErrorCode.Unknown,
    };
}
