using MusicLocker.Streaming;

namespace MusicLocker.AspNetCore;

/// <summary>Options of a <see cref="TrackResponder"/>, copied and validated when it is built.</summary>
public sealed class TrackResponderOptions
{
    /// <summary>The longest <see cref="RedirectValidity"/>: 7 days (the limit of S3 presigned URLs and of a SAS here).</summary>
    public static readonly TimeSpan MaxRedirectValidity = TimeSpan.FromDays(7);

    /// <summary>Chunk size, read-ahead and buffer pool of the range reader (its defaults when <see langword="null"/>).</summary>
    public BlobRangeReaderOptions? RangeReader { get; set; }

    /// <summary>
    /// Answer a GET of a track stored without client-side encryption on a store that signs read URLs (S3, Azure) with a
    /// 302 to a short-lived presigned URL, after the same authorisation: the bytes then go from storage to the player.
    /// Off by default.
    /// </summary>
    public bool RedirectToStorage { get; set; }

    /// <summary>How long a redirect's presigned URL works (5 minutes by default; enough to start, players re-ask on expiry).</summary>
    public TimeSpan RedirectValidity { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The <c>Cache-Control</c> value of track answers (<c>private, max-age=0, must-revalidate</c> by default: the ETag revalidates).</summary>
    public string CacheControl { get; set; } = "private, max-age=0, must-revalidate";
}
