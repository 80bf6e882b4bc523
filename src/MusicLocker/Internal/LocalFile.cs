namespace MusicLocker.Internal;

/// <summary>Opens a caller's local file, turning the system's errors into locker codes that name the path.</summary>
internal static class LocalFile
{
    public static FileStream Open(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            LockerErrors.ThrowInvalidArgument(nameof(path), "A file path is required.");
        }

        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new LockerException(LockerErrorCode.FileNotFound, $"There is no file at '{path}'.", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new LockerException(LockerErrorCode.FileUnreadable, $"The file '{path}' cannot be opened: {ex.Message}", ex);
        }
    }
}

/// <summary>
/// The bytes of a caller's stream, seekable from 0: the stream itself when it can seek (its bytes from its current
/// position), else a temporary file it is copied to (deleted on dispose).
/// </summary>
internal sealed class SeekableSource : IAsyncDisposable
{
    private readonly bool _owned;

    private SeekableSource(Stream stream, bool owned)
    {
        Stream = stream;
        _owned = owned;
    }

    public Stream Stream { get; }

    public static async Task<SeekableSource> OpenAsync(Stream content, string? tempFolder, CancellationToken cancellationToken)
    {
        if (content.CanSeek && content.Position == 0)
        {
            return new SeekableSource(content, owned: false);
        }

        if (content.CanSeek)
        {
            return new SeekableSource(new SubStream(content, content.Position), owned: true);
        }

        string folder = string.IsNullOrEmpty(tempFolder) ? Path.GetTempPath() : tempFolder;
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, "musiclocker-" + Guid.NewGuid().ToString("N") + ".upload");
        var spool = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.Asynchronous | FileOptions.DeleteOnClose);
        try
        {
            await content.CopyToAsync(spool, cancellationToken).ConfigureAwait(false);
            spool.Position = 0;
            return new SeekableSource(spool, owned: true);
        }
        catch
        {
            await spool.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public ValueTask DisposeAsync() => _owned ? Stream.DisposeAsync() : ValueTask.CompletedTask;

    /// <summary>A seekable stream seen from <c>start</c> on (does not own the inner stream).</summary>
    private sealed class SubStream(Stream inner, long start) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => inner.Length - start;

        public override long Position
        {
            get => inner.Position - start;
            set => inner.Position = start + value;
        }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => origin switch
        {
            SeekOrigin.Begin => Position = offset,
            SeekOrigin.Current => Position += offset,
            _ => Position = Length + offset,
        };

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
