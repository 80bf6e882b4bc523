using MusicLocker.Media;
using Microsoft.Extensions.Logging;
using MusicLocker.Storage;

namespace MusicLocker;

/// <summary>
/// Options of a locker. Bound from configuration (section <c>MusicLocker</c> by convention) and validated when the app
/// starts; a locker copies them when it is created, so later changes to this object have no effect.
/// </summary>
public sealed class MusicLockerOptions
{
    /// <summary>
    /// The folder of the embedded default: every part no <c>Use…</c> call configures goes there (<c>objects/</c>,
    /// <c>locker.db</c>, <c>keyring.json</c>). Empty when every part is configured.
    /// </summary>
    public string? Folder { get; set; }

    /// <summary>The default <see cref="PartSize"/>: 16 MiB.</summary>
    public const int DefaultPartSize = 16 * 1024 * 1024;

    /// <summary>
    /// The size of one upload part (and of the resume step), <see cref="DefaultPartSize"/> (16 MiB) by default: a multiple of
    /// 16 KiB, at least 16 KiB, and at least 5 MiB on S3 (its minimum part size). Every part costs a fixed round (a flushed
    /// claim against nonce reuse, a storage request), so larger parts upload faster; an upload of a file longer than one part
    /// holds about five part-sized pooled buffers while it runs (three of the file, two of ciphertext), a shorter file only
    /// its own size's. Lower it where many large uploads run at once in little memory.
    /// </summary>
    public int PartSize { get; set; } = DefaultPartSize;

    /// <summary>Files a batch upload sends at once (4 by default, 1 to 64).</summary>
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>Encrypt every stored object under the user's key (on by default; off only for tests and trusted storage).</summary>
    public bool Encrypt { get; set; } = true;

    /// <summary>The tenant bound into every key context (empty for a single-tenant app).</summary>
    public string TenantId { get; set; } = string.Empty;

    /// <summary>
    /// How long an upload session may stay idle before a sweep gives it up, and how old an unreferenced object must be
    /// before a sweep removes it (24 hours by default; at least one minute).
    /// </summary>
    public TimeSpan StaleUploadAge { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long an upload's quota reservation holds before it expires (one hour by default).</summary>
    public TimeSpan ReservationLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Whether uploads store MP4/M4A files in "fast start" layout — <c>moov</c> moved in front of <c>mdat</c>, so a browser
    /// can start playing from its first request — unless <see cref="UploadOptions.FastStart"/> says otherwise (off by
    /// default). The stored file, its size, its content hash and what a download returns are then the rewritten file's;
    /// the audio bytes, the audio hash (dedup), the duration and the seek data are the same. Other files are stored as
    /// given. See docs/architecture.md, "Fast start".
    /// </summary>
    public bool FastStart { get; set; }

    /// <summary>Where a stream that cannot seek is spooled during an upload (the system's temp folder when empty).</summary>
    public string? TempFolder { get; set; }

    /// <summary>
    /// Writes the catalog's tags into downloads (<see cref="ILockerDownloads.DownloadToAsync(Guid, Stream, DownloadOptions, CancellationToken)"/>) of tracks whose tags were
    /// edited: <see langword="null"/> (the default) hands out the stored original. Set it to
    /// <c>new MusicLocker.Media.TagLib.EditedCopyWriter()</c> (package <c>MusicLocker.Media.TagLib</c>, opt-in because
    /// TagLibSharp is LGPL-2.1-only); ranged reads and streaming always serve the stored original. Not bound from configuration.
    /// </summary>
    public ITagCopyWriter? TagCopyWriter { get; set; }

    /// <summary>The clock (the system clock by default).</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>
    /// How long an account may go unused before <see cref="ILocker.SweepRetentionAsync"/> deletes it (730 days by default;
    /// at least two days). "Used" is defined in docs/architecture.md (uploads, downloads and range reads, plays, track
    /// listings, and <see cref="ILockerAccount.RecordActivityAsync"/>).
    /// </summary>
    public TimeSpan RetentionPeriod { get; set; } = TimeSpan.FromDays(730);

    /// <summary>How long before the deletion an inactive account is warned (30 days by default; positive, shorter than <see cref="RetentionPeriod"/>).</summary>
    public TimeSpan RetentionWarningLead { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// Sends the inactivity warnings of <see cref="ILocker.SweepRetentionAsync"/> (null: the sweep's result lists them and
    /// nothing else is done). A registered <see cref="IRetentionNotifier"/> is taken from the container when this is null.
    /// Not bound from configuration.
    /// </summary>
    public IRetentionNotifier? RetentionNotifier { get; set; }

    /// <summary>Where the locker logs (category <c>MusicLocker.Locker</c>; none when null).</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    internal const int ChunkSize = 16 * 1024;

    /// <summary>The first broken rule, naming the setting as configuration spells it, or <see langword="null"/>.</summary>
    internal string? FindError(string section)
    {
        if (PartSize < ChunkSize || PartSize % ChunkSize != 0)
        {
            return $"{section}:PartSize must be a positive multiple of {ChunkSize} bytes (got {PartSize}).";
        }

        if (MaxConcurrency is < 1 or > 64)
        {
            return $"{section}:MaxConcurrency must be between 1 and 64 (got {MaxConcurrency}).";
        }

        if (StaleUploadAge < TimeSpan.FromMinutes(1))
        {
            return $"{section}:StaleUploadAge must be at least one minute (got {StaleUploadAge}).";
        }

        if (ReservationLifetime <= TimeSpan.Zero)
        {
            return $"{section}:ReservationLifetime must be positive (got {ReservationLifetime}).";
        }

        if (RetentionPeriod < TimeSpan.FromDays(2))
        {
            return $"{section}:RetentionPeriod must be at least two days (got {RetentionPeriod}).";
        }

        if (RetentionWarningLead <= TimeSpan.Zero || RetentionWarningLead >= RetentionPeriod)
        {
            return $"{section}:RetentionWarningLead must be positive and shorter than RetentionPeriod (got {RetentionWarningLead}).";
        }

        if (TenantId is null || TenantId.Contains('/', StringComparison.Ordinal))
        {
            return $"{section}:TenantId must be set (empty for one tenant) and cannot contain '/'.";
        }

        return null;
    }

    internal MusicLockerOptions Copy() => (MusicLockerOptions)MemberwiseClone();
}
