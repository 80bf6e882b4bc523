using System.IO.Pipelines;
using MusicLocker.Media;
using MusicLocker.Storage;
using MusicLocker.Streaming;

namespace MusicLocker;

/// <summary>
/// One stored version of a track, opened for streaming by <see cref="ILockerDownloads.OpenStreamAsync"/>: what an HTTP
/// answer's headers need (length, ETag, Last-Modified, MIME type) and the means to send any byte range of exactly that
/// version (every read is pinned to <see cref="ETag"/>). Where the bytes are stored stays the locker's business.
/// Thread-safe; cheap to hold for the length of one request.
/// </summary>
public sealed class StreamableTrack
{
    private readonly IBlobStore _store;
    private readonly BlobKey _key;
    private readonly IBlobReadUrlSource? _urls;
    private readonly Func<CancellationToken, Task<SeekIndex?>> _readSeekIndex;
    private readonly Func<Guid, CancellationToken, Task<bool>> _trackExists;
    private SeekIndex? _seekIndex;

    internal StreamableTrack(Guid trackId, IBlobStore store, BlobKey key, BlobProperties properties, IBlobReadUrlSource? urls, Func<CancellationToken, Task<SeekIndex?>> readSeekIndex, Func<Guid, CancellationToken, Task<bool>> trackExists)
    {
        TrackId = trackId;
        _store = store;
        _key = key;
        _urls = urls;
        _readSeekIndex = readSeekIndex;
        _trackExists = trackExists;
        Length = properties.Length;
        ETag = properties.ETag;
        LastModified = properties.LastModified;
        ContentType = properties.ContentType ?? "application/octet-stream";
    }

    /// <summary>The track.</summary>
    public Guid TrackId { get; }

    /// <summary>The original file's length in bytes (plaintext).</summary>
    public long Length { get; }

    /// <summary>The stored version's ETag: every byte written comes from this version.</summary>
    public ETag ETag { get; }

    /// <summary>When the stored version was written.</summary>
    public DateTimeOffset LastModified { get; }

    /// <summary>The file's MIME type (<c>audio/mpeg</c>, <c>audio/aac</c>, <c>audio/mp4</c>).</summary>
    public string ContentType { get; }

    /// <summary>Whether <see cref="GetDirectReadUrlAsync"/> can hand out a URL (the locker stores plaintext on a store that signs read URLs, e.g. S3 or Azure).</summary>
    public bool CanReadDirectly => _urls is not null;

    /// <summary>
    /// Writes <paramref name="length"/> plaintext bytes from <paramref name="offset"/> into <paramref name="destination"/> and
    /// flushes them (the pipe is not completed): one ranged storage read through a <see cref="BlobRangeReader"/>, decrypting
    /// only the covering chunks, read-ahead bounded by <paramref name="options"/>.
    /// </summary>
    /// <returns>The bytes written; fewer than <paramref name="length"/> when the pipe's reader went away.</returns>
    /// <exception cref="LockerException"><see cref="LockerErrorCode.InvalidArgument"/>: the range is not inside the track;
    /// <see cref="LockerErrorCode.Conflict"/>: the stored version changed since <see cref="ILockerDownloads.OpenStreamAsync"/>;
    /// <see cref="LockerErrorCode.IntegrityCheckFailed"/>, <see cref="LockerErrorCode.KeyDestroyed"/>, <see cref="LockerErrorCode.Unavailable"/>.</exception>
    public Task<long> WriteRangeAsync(long offset, long length, PipeWriter destination, BlobRangeReaderOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (offset < 0 || length < 0 || offset > Length || length > Length - offset)
        {
            LockerErrors.ThrowInvalidArgument(nameof(offset), $"the range {offset:N0}+{length:N0} is not inside the {Length:N0}-byte track.");
        }

        var reader = new BlobRangeReader(_store, options);
        return GuardRead(() => reader.WriteRangeAsync(_key, offset, length, destination, ETag, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// The MP3/ADTS frame that holds <paramref name="time"/> (the first frame for 0, the last past the end): stream from its
    /// <see cref="SeekPoint.ByteOffset"/> to start a valid stream there. The seek index comes from the locker's cache of
    /// track versions seeked before (else one read of the track's sidecar), then one small ranged read of the bytes
    /// between two index entries.
    /// </summary>
    /// <exception cref="LockerException"><see cref="LockerErrorCode.InvalidArgument"/>: the track has no seek index (MP4/M4A:
    /// players seek by bytes through <c>moov</c>); <see cref="LockerErrorCode.CorruptFile"/>: the index does not match the bytes.</exception>
    public Task<SeekPoint> FindFrameAsync(TimeSpan time, CancellationToken cancellationToken = default) =>
        GuardRead(
            async () =>
            {
                var index = await SeekIndexAsync(cancellationToken).ConfigureAwait(false);
                return await TimeSeek.FindFrameAsync(_store, _key, index, time, ETag, cancellationToken).ConfigureAwait(false);
            },
            cancellationToken);

    /// <summary>
    /// Starts at <paramref name="time"/> in one storage read of the track (two for an index interval of over 1 MiB; plus the seek index's, the first time this
    /// process seeks this version): finds the MP3/ADTS frame that holds the time as <see cref="FindFrameAsync"/> does, calls
    /// <paramref name="onFrame"/> with it (write the answer's headers there: the frame's offset is now known), and writes
    /// the bytes it returns (counted from the frame's offset) into <paramref name="destination"/> from that same read,
    /// through a <see cref="BlobRangeReader"/> (see <see cref="BlobRangeReader.WriteFromTimeAsync"/>). The pipe is not completed.
    /// </summary>
    /// <param name="time">The time to start at (the first frame for 0, the last past the end).</param>
    /// <param name="maxLength">The most bytes from the frame <paramref name="onFrame"/> may ask for (<see cref="long.MaxValue"/>: to
    /// the end; 0: none, e.g. a HEAD): the read covers the frame's index interval plus this.</param>
    /// <param name="onFrame">Returns the bytes to send from the frame (<see cref="ByteRange.All"/>: to the end), or <see langword="null"/> for none.</param>
    /// <param name="destination">Where the bytes go.</param>
    /// <param name="options">Chunk size, read-ahead and buffer pool (the interval's buffer comes from the same pool).</param>
    /// <param name="cancellationToken">Stops the storage read and the copy.</param>
    /// <returns>The bytes written; fewer than asked when the pipe's reader went away; 0 when <paramref name="onFrame"/> asked none.</returns>
    /// <exception cref="LockerException">As <see cref="FindFrameAsync"/>; <see cref="LockerErrorCode.InvalidArgument"/>: the range
    /// <paramref name="onFrame"/> returned starts past the end; <see cref="LockerErrorCode.Conflict"/>: the stored version changed.</exception>
    public Task<long> WriteFromTimeAsync(TimeSpan time, long maxLength, Func<SeekPoint, ByteRange?> onFrame, PipeWriter destination, BlobRangeReaderOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(onFrame);
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentOutOfRangeException.ThrowIfNegative(maxLength);
        var reader = new BlobRangeReader(_store, options);
        return GuardRead(
            async () =>
            {
                var index = await SeekIndexAsync(cancellationToken).ConfigureAwait(false);
                return await reader.WriteFromTimeAsync(_key, index, time, maxLength, onFrame, destination, ETag, cancellationToken).ConfigureAwait(false);
            },
            cancellationToken);
    }

    /// <summary>A read of this version: a track deleted meanwhile is <see cref="LockerErrorCode.TrackNotFound"/>, not <see cref="LockerErrorCode.Inconsistent"/>.</summary>
    private Task<T> GuardRead<T>(Func<Task<T>> read, CancellationToken cancellationToken) =>
        LockerErrors.GuardTrackRead(TrackId, _trackExists, read, cancellationToken);

    /// <summary>The track's seek index: the locker's cache of versions seeked before, else one read of the track's sidecar.</summary>
    private async Task<SeekIndex> SeekIndexAsync(CancellationToken cancellationToken)
    {
        if (ContentType is not ("audio/mpeg" or "audio/aac"))
        {
            LockerErrors.ThrowInvalidArgument("time", $"track {TrackId} is {ContentType}: players seek it by bytes (through its moov box), not by time.");
        }

        var index = _seekIndex ??= await _readSeekIndex(cancellationToken).ConfigureAwait(false);
        if (index is null || index.Count == 0)
        {
            LockerErrors.ThrowInvalidArgument("time", $"track {TrackId} has no seek index ({ContentType}): seek by bytes instead.");
        }

        return index;
    }

    /// <summary>
    /// A short-lived URL that reads the stored file straight from the object store (an S3 presigned URL, an Azure SAS), for
    /// players that should fetch the bytes without this server. Authorise the caller first: anyone holding the URL can
    /// read the file until it expires.
    /// </summary>
    /// <returns>The URL, or <see langword="null"/> when <see cref="CanReadDirectly"/> is <see langword="false"/> (encrypted, or a store that cannot sign).</returns>
    /// <exception cref="LockerException"><see cref="LockerErrorCode.Unknown"/> wrapping the store's refusal (credentials that cannot sign).</exception>
    public async Task<Uri?> GetDirectReadUrlAsync(TimeSpan validity, CancellationToken cancellationToken = default)
    {
        if (_urls is null)
        {
            return null;
        }

        return await LockerErrors.Guard(() => _urls.GetReadUrlAsync(_key, validity, cancellationToken)).ConfigureAwait(false);
    }
}
