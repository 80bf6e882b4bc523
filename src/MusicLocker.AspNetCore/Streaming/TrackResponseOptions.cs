namespace MusicLocker.AspNetCore;

/// <summary>What one answer of a <see cref="TrackResponder"/> should be beyond the request's own headers.</summary>
public sealed class TrackResponseOptions
{
    /// <summary>
    /// Start the stream at the MP3/ADTS frame that holds this time (<c>?t=SECONDS</c>): the answer is the representation
    /// from that frame to the end, with its own ETag, and ranges apply inside it. <see langword="null"/>: the whole file.
    /// </summary>
    public TimeSpan? StartAt { get; init; }

    /// <summary>Send <c>Content-Disposition: attachment</c> (a download) instead of <c>inline</c>.</summary>
    public bool Download { get; init; }

    /// <summary>The file name in <c>Content-Disposition</c> (control characters and path separators replaced; <c>.mp3</c>/<c>.aac</c>/<c>.m4a</c> appended when missing); none when <see langword="null"/>.</summary>
    public string? FileName { get; init; }

    /// <summary>
    /// Whether this answer may be a 302 to a presigned storage URL when <see cref="TrackResponderOptions.RedirectToStorage"/>
    /// is on (true by default; the responder never redirects time seeks or downloads).
    /// </summary>
    public bool AllowRedirect { get; init; } = true;

    /// <summary>
    /// The longest a redirect's presigned URL may work for this answer (e.g. what is left of the signed token the request
    /// came with, so the URL does not outlive it): the shorter of this and <see cref="TrackResponderOptions.RedirectValidity"/>.
    /// Under a second: no redirect (the app answers itself). <see langword="null"/>: no limit of its own.
    /// </summary>
    public TimeSpan? MaxRedirectValidity { get; init; }
}
