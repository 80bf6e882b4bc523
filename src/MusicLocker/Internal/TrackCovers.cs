using System.Security.Cryptography;
using MusicLocker.Diagnostics;
using MusicLocker.Media;
using MusicLocker.Metadata;
using MusicLocker.Storage;

namespace MusicLocker.Internal;

/// <summary>
/// A user's cover-art edits: the picture stored as its own object (<see cref="LockerKeys.Cover"/>, through the
/// encrypting store, so under the user's key), then the catalog row naming it. Object first: a crash between the two
/// leaves an unreferenced object, which the sweep and reconcile remove; never a row naming nothing. The catalog hands
/// each replaced picture to exactly one caller, which deletes its object.
/// </summary>
internal sealed class TrackCovers(LockerCore core, string userId)
{
    public async Task SetAsync(Guid trackId, ReadOnlyMemory<byte> picture, string mimeType, CancellationToken cancellationToken)
    {
        Validate(picture.Span, mimeType);
        _ = await core.Metadata.Tracks.GetTrackAsync(userId, trackId, cancellationToken).ConfigureAwait(false); // not found: nothing stored
        var key = LockerKeys.Cover(userId, Guid.NewGuid());
        await core.Objects.PutBytesAsync(key, picture, new PutBlobOptions { ContentType = mimeType, Conditions = BlobRequestConditions.CreateOnly }, cancellationToken).ConfigureAwait(false);
        var stored = new CoverPicture(key.Value, mimeType, picture.Length, Convert.ToHexStringLower(SHA256.HashData(picture.Span)));
        CoverPicture? replaced;
        try
        {
            replaced = await core.Metadata.Covers.SetAsync(userId, trackId, stored, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // The track went, or the catalog failed: the object is no one's (if this delete fails too, the sweep takes it).
            await DeleteQuietlyAsync(key.Value).ConfigureAwait(false);
            throw;
        }

        await DeleteQuietlyAsync(replaced?.StorageKey).ConfigureAwait(false);
    }

    public async Task RemoveAsync(Guid trackId, CancellationToken cancellationToken) =>
        await DeleteQuietlyAsync((await core.Metadata.Covers.SetAsync(userId, trackId, null, cancellationToken).ConfigureAwait(false))?.StorageKey).ConfigureAwait(false);

    public async Task RestoreAsync(Guid trackId, CancellationToken cancellationToken) =>
        await DeleteQuietlyAsync((await core.Metadata.Covers.ClearAsync(userId, trackId, cancellationToken).ConfigureAwait(false))?.StorageKey).ConfigureAwait(false);

    /// <summary>The edited cover of a track the caller found in this user's catalog; null when it has no edit.</summary>
    public Task<TrackCoverEdit?> GetEditAsync(Guid trackId, CancellationToken cancellationToken) =>
        core.Metadata.Covers.GetAsync(userId, trackId, cancellationToken);

    /// <summary>Opens a stored cover picture (decrypted), pinned to nothing: a replaced picture is gone (<see cref="BlobNotFoundException"/>; the caller reads the edit again).</summary>
    public async Task<CoverArt> OpenAsync(CoverPicture picture, CancellationToken cancellationToken)
    {
        var download = await core.Objects.OpenReadAsync(BlobKey.Parse(picture.StorageKey), null, cancellationToken).ConfigureAwait(false);
        return new CoverArt(new TranslatingReadStream(download.Content), picture.MimeType, download.Length);
    }

    /// <summary>A stored cover picture's bytes (at most <see cref="ILockerTracks.MaxCoverArtBytes"/>), for an edited copy.</summary>
    public async Task<byte[]> ReadAsync(CoverPicture picture, CancellationToken cancellationToken) =>
        await core.Objects.ReadAllBytesAsync(BlobKey.Parse(picture.StorageKey), null, ILockerTracks.MaxCoverArtBytes, cancellationToken).ConfigureAwait(false);

    /// <summary>Deletes a picture no edit names any more; a failure leaves an orphan for the sweep, never fails the edit.</summary>
    public async Task DeleteQuietlyAsync(string? storageKey)
    {
        if (storageKey is null)
        {
            return;
        }

        try
        {
            await core.Objects.DeleteAsync(BlobKey.Parse(storageKey), cancellationToken: CancellationToken.None).ConfigureAwait(false);
        }
        catch (BlobStoreException ex)
        {
            LockerLog.CoverCleanupFailed(core.Logger, ex, storageKey);
        }
    }

    private static void Validate(ReadOnlySpan<byte> picture, string mimeType)
    {
        if (picture.IsEmpty || picture.Length > ILockerTracks.MaxCoverArtBytes)
        {
            LockerErrors.ThrowInvalidArgument(nameof(picture), $"A cover picture is 1 to {ILockerTracks.MaxCoverArtBytes:N0} bytes (got {picture.Length:N0}).");
        }

        if (mimeType is not ("image/jpeg" or "image/png"))
        {
            LockerErrors.ThrowInvalidArgument(nameof(mimeType), $"A cover picture is image/jpeg or image/png (got '{mimeType}').");
        }

        string sniffed = CoverArtInfo.SniffMimeType(picture);
        if (!string.Equals(sniffed, mimeType, StringComparison.Ordinal))
        {
            LockerErrors.ThrowInvalidArgument(nameof(mimeType), $"The picture's bytes are {sniffed}, not the {mimeType} it is said to be.");
        }
    }
}
