using System.Buffers;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace MusicLocker.Crypto.Keys;

/// <summary>
/// Reads and writes the key ring file safely: opened once, and every check (regular file, not a symlink, owner-only
/// mode, folder not writable by group or others) made on what was opened, so nothing can be swapped between a check
/// and the read. Every file-system failure becomes an <see cref="EncryptionException"/> with a code.
/// </summary>
internal static class KeyRingFile
{
    /// <summary>A key ring holds a few keys; anything larger is not one.</summary>
    private const long MaxLength = 1024 * 1024;

    private const UnixFileMode GroupOrOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>
    /// The full form of a configured ring path. An empty path, or one the platform refuses (a NUL, too long), is
    /// <see cref="EncryptionErrorCode.KeyRingUnavailable"/> rather than a raw <see cref="ArgumentException"/>.
    /// </summary>
    public static string FullPath(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new EncryptionException(EncryptionErrorCode.KeyRingUnavailable, "The key ring path is empty; set LocalKeyRingOptions.Path to the key ring file.");
        }

        try
        {
            if (path.Contains('\0', StringComparison.Ordinal))
            {
                throw new ArgumentException("the path contains a NUL character");
            }

            return Path.GetFullPath(path);
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or NotSupportedException or System.Security.SecurityException)
        {
            throw new EncryptionException(EncryptionErrorCode.KeyRingUnavailable, $"The key ring path '{EncryptionErrors.Quote(path)}' is not a valid path: {ex.Message}", null, ex);
        }
    }

    public static async Task<byte[]> ReadAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            CheckFolder(path);
            if (new FileInfo(path).LinkTarget is { } target)
            {
                throw Invalid(path, $"it is a symlink (to '{target}'); point the configuration at the file itself");
            }

            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.Asynchronous);
            if (!OperatingSystem.IsWindows())
            {
                CheckOpened(handle, path);
            }

            long length = RandomAccess.GetLength(handle);
            if (length > MaxLength)
            {
                throw Invalid(path, $"it is {length} bytes; a key ring is a few hundred");
            }

            var bytes = new byte[length];
            int read = 0;
            while (read < bytes.Length)
            {
                int n = await RandomAccess.ReadAsync(handle, bytes.AsMemory(read), read, cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    CryptographicOperations.ZeroMemory(bytes);
                    throw Invalid(path, "it shrank while it was read");
                }

                read += n;
            }

            return bytes;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new EncryptionException(EncryptionErrorCode.KeyRingUnavailable, $"Key ring '{path}' cannot be read: {ex.Message}", null, ex);
        }
    }

    /// <summary>
    /// Writes <paramref name="content"/> to a new owner-only temp file, flushed, then moves it to the ring's path: without
    /// replacing when <paramref name="createNew"/> (a ring that exists is an error), else over the ring. A crash never
    /// leaves half a ring, and a process opening the ring meanwhile sees no file or the whole ring, never a locked or
    /// half-written one.
    /// </summary>
    public static async Task WriteAsync(string path, ReadOnlyMemory<byte> content, bool createNew, CancellationToken cancellationToken)
    {
        string target = path + "." + Convert.ToHexString(RandomNumberGenerator.GetBytes(8)) + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, Options = FileOptions.Asynchronous };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            try
            {
                var file = new FileStream(target, options);
                await using (file.ConfigureAwait(false))
                {
                    await file.WriteAsync(content, cancellationToken).ConfigureAwait(false);
                    file.Flush(flushToDisk: true);
                }

                File.Move(target, path, overwrite: !createNew);
            }
            catch
            {
                File.Delete(target);
                throw;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new EncryptionException(EncryptionErrorCode.KeyRingUnavailable, $"Key ring '{path}' cannot be written{(createNew && File.Exists(path) ? " (the file exists)" : string.Empty)}: {ex.Message}", null, ex);
        }
    }

    private static void CheckFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string folder = Path.GetDirectoryName(path) ?? "/";
        var mode = File.GetUnixFileMode(folder);
        if ((mode & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
        {
            throw Invalid(path, $"its folder '{folder}' is writable by group or others (mode {Convert.ToString((int)mode, 8)}), so they could replace the ring; run 'chmod go-w' on the folder");
        }
    }

    [UnsupportedOSPlatform("windows")]
    private static void CheckOpened(SafeFileHandle handle, string path)
    {
        var mode = File.GetUnixFileMode(handle);
        if ((mode & GroupOrOthers) != 0)
        {
            throw Invalid(path, $"it is accessible to group or others (mode {Convert.ToString((int)mode, 8)}); run 'chmod 600' on it");
        }

        // What was opened must be the path itself, not something a symlink swapped in after the check above.
        string link = $"/proc/self/fd/{handle.DangerousGetHandle()}";
        if (File.Exists(link) && new FileInfo(link).LinkTarget is { } opened && !string.Equals(opened, Path.Combine(RealFolder(Path.GetDirectoryName(path)!), Path.GetFileName(path)), StringComparison.Ordinal))
        {
            throw Invalid(path, $"it resolved to '{opened}' when opened (a symlink); point the configuration at the file itself");
        }
    }

    /// <summary>The folder with every symlink among its ancestors resolved.</summary>
    private static string RealFolder(string folder)
    {
        string current = Path.GetPathRoot(folder)!;
        foreach (var part in folder[current.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            string next = Path.Combine(current, part);
            current = new DirectoryInfo(next).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? next;
        }

        return current;
    }

    private static EncryptionException Invalid(string path, string what) =>
        new(EncryptionErrorCode.KeyRingInvalid, $"Key ring '{path}' is refused: {what}.");

    /// <summary>A fixed-size buffer writer for secrets: it never grows (so no copy is abandoned) and is zeroed on dispose.</summary>
    public sealed class SecretBuffer(int capacity) : IBufferWriter<byte>, IDisposable
    {
        private readonly byte[] _buffer = GC.AllocateUninitializedArray<byte>(capacity, pinned: true);
        private int _written;

        public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, _written);

        public void Advance(int count) => _written += count;

        public Memory<byte> GetMemory(int sizeHint = 0) => _buffer.AsMemory(Reserve(sizeHint));

        public Span<byte> GetSpan(int sizeHint = 0) => _buffer.AsSpan(Reserve(sizeHint));

        public void Dispose() => CryptographicOperations.ZeroMemory(_buffer);

        // Utf8JsonWriter asks for 4 KiB at a time but checks only what it needs against what it gets: hand it the rest.
        private int Reserve(int sizeHint)
        {
            if (_buffer.Length - _written < Math.Min(Math.Max(sizeHint, 1), 512))
            {
                throw new InvalidOperationException($"The key ring buffer of {_buffer.Length} bytes is too small.");
            }

            return _written;
        }
    }
}
