namespace MusicLocker.Storage.FileSystem;

/// <summary>What a sweep of a <see cref="FileSystemBlobStore"/> removed.</summary>
/// <param name="TempFilesRemoved">Temp files of writes that never finished (a killed process).</param>
/// <param name="UploadsRemoved">Multipart uploads abandoned for longer than the stale age.</param>
/// <param name="BytesFreed">Bytes of disk the removed files held.</param>
public readonly record struct SweepResult(int TempFilesRemoved, int UploadsRemoved, long BytesFreed);
