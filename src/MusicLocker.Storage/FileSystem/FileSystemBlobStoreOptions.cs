namespace MusicLocker.Storage.FileSystem;

/// <summary>Options of <see cref="FileSystemBlobStore"/>.</summary>
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

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(RootPath))
        {
            throw new ArgumentException("FileSystemBlobStoreOptions.RootPath is required: the folder that holds the store.", nameof(RootPath));
        }

        if (StaleAge <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(StaleAge), StaleAge, "StaleAge must be positive.");
        }

        if (LockTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(LockTimeout), LockTimeout, "LockTimeout must be positive.");
        }

        ArgumentNullException.ThrowIfNull(TimeProvider);
    }
}

/// <summary>What a sweep of a <see cref="FileSystemBlobStore"/> removed.</summary>
/// <param name="TempFilesRemoved">Temp files of writes that never finished (a killed process).</param>
/// <param name="UploadsRemoved">Multipart uploads abandoned for longer than the stale age.</param>
/// <param name="BytesFreed">Bytes of disk the removed files held.</param>
public readonly record struct SweepResult(int TempFilesRemoved, int UploadsRemoved, long BytesFreed);
