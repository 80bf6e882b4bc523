namespace MusicLocker.Storage.FileSystem;

/// <summary>
/// The one place where the file-system store turns <see cref="System.IO"/> errors into <see cref="BlobStoreException"/>s,
/// so no <see cref="IOException"/> or <see cref="UnauthorizedAccessException"/> ever reaches a caller.
/// </summary>
internal static class FileSystemErrors
{
    /// <summary><c>EWOULDBLOCK</c> (Linux 11, macOS 35): another handle holds the file's lock.</summary>
    private static readonly int LockedOnUnix = OperatingSystem.IsMacOS() ? 35 : 11;

    /// <summary>Whether <paramref name="ex"/> is a file-system error this class translates.</summary>
    public static bool IsFileSystemError(Exception ex) => ex is IOException or UnauthorizedAccessException;

    /// <summary>Whether opening a file failed because another handle holds its lock (a sharing violation).</summary>
    public static bool IsLocked(IOException ex) =>
        ex is not FileNotFoundException and not DirectoryNotFoundException and not PathTooLongException
        && (ex.HResult == LockedOnUnix || ex.HResult == unchecked((int)0x80070020)); // ERROR_SHARING_VIOLATION on Windows

    /// <summary>Translates a file-system error met while <paramref name="operation"/> ran on <paramref name="key"/> at <paramref name="path"/>.</summary>
    public static BlobStoreException Translate(Exception ex, string operation, string? key, string? path)
    {
        string where = path is null ? string.Empty : $" (at '{path}')";
        string subject = key is null ? operation : $"{operation} '{key}'";
        return ex switch
        {
            BlobStoreException already => already,
            PathTooLongException => new InvalidBlobKeyException(key ?? string.Empty, BlobKeyRule.PathTooLong, $"the file-system store cannot hold it: the path{where} is longer than the operating system allows"),
            UnauthorizedAccessException => new BlobStoreException(BlobErrorCode.AccessDenied, $"{subject} was refused by the file system{where}: {ex.Message} Check the permissions of the store's folder.", key, ex),
            FileNotFoundException or DirectoryNotFoundException => new BlobStoreException(BlobErrorCode.Unavailable, $"{subject} met a file that another writer, delete or sweep removed at the same moment{where}; nothing was changed. Try again.", key, ex),
            IOException io when IsLocked(io) => new BlobStoreException(BlobErrorCode.Unavailable, $"{subject} met a file that another process holds{where}. Try again.", key, ex),
            _ => new BlobStoreException(BlobErrorCode.Unknown, $"{subject} failed in the file system{where}: {ex.Message}", key, ex),
        };
    }
}
