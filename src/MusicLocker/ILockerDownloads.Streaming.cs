namespace MusicLocker;

/// <summary>Streaming a user's tracks (the HTTP layer's entry point: <c>MusicLocker.AspNetCore</c>).</summary>
public partial interface ILockerDownloads
{
    /// <summary>
    /// Opens a track for streaming: its stored version's length, ETag, Last-Modified and MIME type, from which any byte
    /// range can be written into a pipe (decrypted when the locker is encrypted) or a time seek resolved. Costs the
    /// catalog lookup and one storage properties call; no byte is read until <see cref="StreamableTrack.WriteRangeAsync"/>.
    /// </summary>
    /// <exception cref="LockerException"><see cref="LockerErrorCode.TrackNotFound"/>; <see cref="LockerErrorCode.Inconsistent"/>
    /// when the catalogued object is missing; <see cref="LockerErrorCode.KeyDestroyed"/>; <see cref="LockerErrorCode.Unavailable"/>.</exception>
    Task<StreamableTrack> OpenStreamAsync(Guid trackId, CancellationToken cancellationToken = default);
}
