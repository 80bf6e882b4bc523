using Microsoft.Win32.SafeHandles;

namespace MusicLocker.Media;

/// <summary>
/// A local file as an <see cref="IRandomAccessSource"/> (positional reads on one handle; thread-safe). A file that
/// cannot be opened or read is a <see cref="MediaFormatException"/> with <see cref="MediaErrorCode.NotFound"/> or
/// <see cref="MediaErrorCode.Unreadable"/> that names the path, never a raw <c>System.IO</c> exception.
/// </summary>
/// <remarks>
/// Reads are synchronous <c>pread</c> calls that complete the returned task: on Linux, asynchronous file reads are a
/// thread-pool hop around the same call, which costs more than a page-cache read of a probe's 64 KiB.
/// </remarks>
public sealed class FileRandomAccessSource : IRandomAccessSource, IDisposable
{
    private readonly SafeFileHandle _handle;
    private readonly string _path;

    /// <summary>Opens <paramref name="path"/> for reading.</summary>
    /// <exception cref="MediaFormatException">With <see cref="MediaErrorCode.NotFound"/>: no file at <paramref name="path"/>;
    /// with <see cref="MediaErrorCode.Unreadable"/>: a folder, access denied, or an I/O error.</exception>
    public FileRandomAccessSource(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _path = path;
        try
        {
            _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw Refusal(path, "opened", e);
        }

        try
        {
            Length = RandomAccess.GetLength(_handle);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            _handle.Dispose();
            throw Refusal(path, "read", e);
        }
    }

    /// <inheritdoc />
    public long Length { get; }

    /// <inheritdoc />
    public ValueTask<int> ReadAtAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        int total = 0;
        try
        {
            while (total < buffer.Length)
            {
                int n = RandomAccess.Read(_handle, buffer.Span[total..], offset + total);
                if (n == 0)
                {
                    break;
                }

                total += n;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw Refusal(_path, "read", e);
        }

        return ValueTask.FromResult(total);
    }

    /// <inheritdoc />
    public void Dispose() => _handle.Dispose();

    private static MediaFormatException Refusal(string path, string verb, Exception e)
    {
        // A path that names a folder opens with UnauthorizedAccessException (Windows) or IOException (Unix): say which it is.
        bool folder = Directory.Exists(path);
        var code = e is FileNotFoundException or DirectoryNotFoundException && !folder ? MediaErrorCode.NotFound : MediaErrorCode.Unreadable;
        string reason = code == MediaErrorCode.NotFound
            ? "there is no such file"
            : folder ? "it is a folder, not a file" : e is UnauthorizedAccessException ? "access is denied" : e.Message;
        return new MediaFormatException(code, $"The file '{path}' could not be {verb}: {reason}", null, e);
    }
}
