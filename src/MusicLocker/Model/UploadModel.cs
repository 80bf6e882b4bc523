using MusicLocker.Media;
using MusicLocker.Metadata.Quota;

namespace MusicLocker;

/// <summary>How one file is uploaded.</summary>
public sealed class UploadOptions
{
    /// <summary>The app marks music bought in its store: it is catalogued but does not count against the quota.</summary>
    public bool IsPurchased { get; init; }

    /// <summary>The file's name as the user knows it (the title falls back to it when the file has no title tag).</summary>
    public string? FileName { get; init; }

    /// <summary>
    /// The file's SHA-256 in hex, when the app knows it already (e.g. <see cref="ScannedFile.ContentHash"/> from a scan):
    /// a file the locker holds already is then recognised (<see cref="UploadOutcome.Duplicate"/>) before a byte is read
    /// or stored. Without it the upload stores optimistically and the catalog decides at the end. Checked against the
    /// bytes read: a mismatch gives the upload up with <see cref="LockerErrorCode.SourceChanged"/>.
    /// </summary>
    public string? ContentHash { get; init; }

    /// <summary>
    /// Store an MP4/M4A whose <c>moov</c> follows its media data in "fast start" layout (<c>moov</c> moved in front, chunk
    /// offsets shifted, nothing re-encoded), so a browser starts playing from its first request; <see langword="null"/>
    /// (the default) takes <see cref="MusicLockerOptions.FastStart"/>. The track then stores, charges, hashes
    /// (<see cref="LockerTrack"/>'s content hash) and downloads the rewritten file; its audio hash, duration and seek data
    /// are those of the original, so the same audio uploaded either way is one track. A file fast start does not apply
    /// to (MP3, ADTS, moov already first, fragmented) is stored as given; <see cref="UploadResult.FastStart"/> says which.
    /// A stream that cannot seek is spooled to <see cref="MusicLockerOptions.TempFolder"/> first, as every such upload is,
    /// and rewritten from there. A resumed upload keeps the layout it started with, whatever this says.
    /// </summary>
    public bool? FastStart { get; init; }
}

/// <summary>How far an upload is.</summary>
/// <param name="BytesTransferred">Bytes of the file stored so far (parts stored by an earlier attempt included).</param>
/// <param name="TotalBytes">The file's size.</param>
/// <param name="BytesPerSecond">The rate over this attempt so far.</param>
/// <param name="EstimatedRemaining">The time left at that rate; <see langword="null"/> until a rate is known.</param>
public readonly record struct UploadProgress(long BytesTransferred, long TotalBytes, double BytesPerSecond, TimeSpan? EstimatedRemaining);

/// <summary>What an upload did.</summary>
public enum UploadOutcome
{
    /// <summary>Nothing happened (never returned; the default value).</summary>
    Unknown = 0,

    /// <summary>The file was stored and catalogued as a new track.</summary>
    Stored,

    /// <summary>The same file was in the locker already: nothing was stored or charged.</summary>
    Duplicate,

    /// <summary>The same audio with other tags was in the locker: its tags were updated, nothing was stored or charged.</summary>
    Retagged,
}

/// <summary>The result of an upload.</summary>
/// <param name="Track">The track (new, or the one already there).</param>
/// <param name="Outcome">What the upload did.</param>
public sealed record UploadResult(LockerTrack Track, UploadOutcome Outcome)
{
    /// <summary>
    /// What fast start did to the file (<see cref="UploadOptions.FastStart"/>): <see cref="FastStartDecision.Rewrite"/>
    /// when the stored file is the rewritten one, another value when it was asked for and the file was stored as given
    /// (why), <see cref="FastStartDecision.Unknown"/> when fast start was not asked for or the upload stored nothing
    /// before deciding (a duplicate recognised by <see cref="UploadOptions.ContentHash"/>).
    /// </summary>
    public FastStartDecision FastStart { get; init; }
}

/// <summary>An upload that was interrupted and can be resumed with <see cref="ILockerUploads.ResumeAsync(Guid, string, UploadOptions?, IProgress{UploadProgress}?, CancellationToken)"/>.</summary>
/// <param name="Id">The session id.</param>
/// <param name="FileName">The file's name.</param>
/// <param name="TotalBytes">The file's size.</param>
/// <param name="StoredBytes">Bytes stored as of the upload's last checkpoint: what a resume does not send again. Checkpoints
/// are written behind the parts, so a part or a few stored after the last one are sent again.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="UpdatedAt">When it last stored a part.</param>
public sealed record PendingUpload(Guid Id, string FileName, long TotalBytes, long StoredBytes, DateTimeOffset StartedAt, DateTimeOffset UpdatedAt);

/// <summary>One file of a scan.</summary>
/// <param name="Path">The local file.</param>
/// <param name="SizeBytes">Its size.</param>
/// <param name="ContentHash">SHA-256 of its bytes (lower-case hex).</param>
/// <param name="AudioHash">XXH128 of its audio payload (see <see cref="LockerTrack.AudioHash"/>).</param>
/// <param name="ExistingTrackId">The track already holding this audio, or <see langword="null"/> when the file is new to the locker.</param>
/// <param name="Error">Why the file cannot be uploaded (not audio, DRM, unreadable, an audio hash that collides with a track of other audio), or <see langword="null"/>.</param>
public sealed record ScannedFile(string Path, long SizeBytes, string? ContentHash, string? AudioHash, Guid? ExistingTrackId, LockerErrorCode? Error)
{
    /// <summary>Whether an upload would store it (new audio, and an uploadable file).</summary>
    public bool IsNew => ExistingTrackId is null && Error is null;
}

/// <summary>Which local files are not in the locker yet, and whether they fit.</summary>
/// <param name="Files">One entry per file, in the order given.</param>
/// <param name="Quota">The quota preview of the new files.</param>
public sealed record ScanResult(IReadOnlyList<ScannedFile> Files, QuotaPreview Quota);

/// <summary>The outcome of one file of a batch upload.</summary>
/// <param name="Path">The file.</param>
/// <param name="Result">Its upload result, when it succeeded.</param>
/// <param name="Error">Its error, when it failed.</param>
public sealed record BatchUploadItem(string Path, UploadResult? Result, LockerException? Error);
