using System.Buffers;
using MusicLocker.Metadata;
using MusicLocker.Storage;

namespace MusicLocker.Internal;

/// <summary>
/// The check behind every dedup by audio: the audio hash (XXH128, see <see cref="FileHasher"/>) only finds the track
/// that may hold the same audio; before a file is called a retagged copy of it, the stored track's audio payload is read
/// back (decrypted) and compared with the file's, byte for byte. A fingerprint match whose bytes differ — a crafted
/// collision — is <see cref="LockerErrorCode.AudioHashCollision"/>, never a silent dedup. The read costs one pass over the
/// audio, and only when the fingerprints match and the files differ (a retag).
/// </summary>
internal static class AudioComparer
{
    private const int BlockSize = 256 * 1024;

    /// <summary>
    /// Whether <paramref name="existing"/>'s stored audio payload is the <paramref name="length"/> bytes of
    /// <paramref name="source"/> at <paramref name="offset"/> (the source's position is moved).
    /// </summary>
    /// <exception cref="LockerException"><see cref="LockerErrorCode.Inconsistent"/>: the track's stored object (or its info) is missing.</exception>
    public static async Task<bool> SameAudioAsync(LockerCore core, TrackRecord existing, Stream source, long offset, long length, CancellationToken cancellationToken)
    {
        var key = BlobKey.Parse(existing.StorageKey);
        try
        {
            return await CompareAsync(core, key, source, offset, length, cancellationToken).ConfigureAwait(false);
        }
        catch (BlobNotFoundException ex)
        {
            // Storage lost the track's bytes (drift): nothing to compare with, so neither a dedup nor a new track under its audio hash.
            throw new LockerException(LockerErrorCode.Inconsistent, $"Track {existing.Id} has this file's audio hash, but its stored object '{ex.Key ?? key.Value}' is missing from storage, so the two cannot be compared; run ReconcileAsync to repair the catalog, then upload the file again. Nothing was stored.", ex);
        }
    }

    private static async Task<bool> CompareAsync(LockerCore core, BlobKey key, Stream source, long offset, long length, CancellationToken cancellationToken)
    {
        var info = await LockerDocuments.ReadAsync<StoredTrackInfo>(core.Objects, LockerKeys.Info(key), cancellationToken).ConfigureAwait(false);
        if (info.AudioLength != length)
        {
            return false;
        }

        if (length == 0)
        {
            return true;
        }

        byte[] stored = ArrayPool<byte>.Shared.Rent(BlockSize);
        byte[] given = ArrayPool<byte>.Shared.Rent(BlockSize);
        try
        {
            var download = await core.Objects.OpenReadAsync(key, new ReadBlobOptions { Range = new ByteRange(info.AudioOffset, length) }, cancellationToken).ConfigureAwait(false);
            await using (download.ConfigureAwait(false))
            {
                source.Position = offset;
                for (long left = length; left > 0;)
                {
                    int block = (int)Math.Min(BlockSize, left);
                    int storedRead = await download.Content.ReadAtLeastAsync(stored.AsMemory(0, block), block, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                    int givenRead = await source.ReadAtLeastAsync(given.AsMemory(0, block), block, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                    if (storedRead != block || givenRead != block || !stored.AsSpan(0, block).SequenceEqual(given.AsSpan(0, block)))
                    {
                        return false;
                    }

                    left -= block;
                }
            }

            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(stored, clearArray: true);
            ArrayPool<byte>.Shared.Return(given, clearArray: true);
        }
    }

    /// <summary>The error for a fingerprint match whose audio differs.</summary>
    public static LockerException Collision(TrackRecord existing, string audioHash) =>
        new(LockerErrorCode.AudioHashCollision, $"The file's audio hash ({audioHash}) is that of track {existing.Id}, but its audio bytes differ (a crafted collision); the locker holds one track per audio hash, so the file is refused. Nothing was stored, and track {existing.Id} is unchanged.");
}
