using Microsoft.Extensions.Logging;

namespace MusicLocker.Storage.FileSystem;

/// <summary>Options of <see cref="FileSystemBlobStore"/>; the store copies and validates them when it is created, so later changes have no effect.</summary>
public sealed class FileSystemBlobStoreOptions
{
    /// <summary>The folder that holds the store (created when missing). Required.</summary>
    public string RootPath { get; set; } = string.Empty;

    /// <summary>
    /// Whether each write is flushed to the disk (fsync) before it is published. On by default so that a blob that was
    /// reported written survives a power cut; turn off only for scratch stores.
    /// </summary>
    public bool FlushToDisk { get; set; } = true;

    /// <summary>How old a temp file or an abandoned multipart upload must be before <see cref="FileSystemBlobStore.SweepAsync"/> removes it. Default 24 hours.</summary>
    public TimeSpan StaleAge { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long a write waits for another writer of the same key (in any process) before failing as unavailable. Default 30 seconds.</summary>
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The clock for last-modified times and sweeping. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Where the store logs sweeps, skipped damaged blobs and races it retried (see <c>docs/telemetry.md</c>); <see langword="null"/> logs nowhere.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>A validated copy, so a caller changing this object later changes nothing in the store.</summary>
    internal FileSystemBlobStoreOptions Snapshot()
    {
        var copy = new FileSystemBlobStoreOptions
        {
            RootPath = RootPath,
            FlushToDisk = FlushToDisk,
            StaleAge = StaleAge,
            LockTimeout = LockTimeout,
            TimeProvider = TimeProvider,
            LoggerFactory = LoggerFactory,
        };
        if (string.IsNullOrWhiteSpace(copy.RootPath))
        {
            throw new ArgumentException("FileSystemBlobStoreOptions.RootPath is required: the folder that holds the store.", "options.RootPath");
        }

        if (copy.StaleAge <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException("options.StaleAge", copy.StaleAge, "StaleAge must be positive.");
        }

        if (copy.LockTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException("options.LockTimeout", copy.LockTimeout, "LockTimeout must be positive.");
        }

        ArgumentNullException.ThrowIfNull(copy.TimeProvider, "options.TimeProvider");
        return copy;
    }
}
