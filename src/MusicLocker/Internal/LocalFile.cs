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

    /// <summary>The most bytes of a spooled upload shown to the sniffing parser: enough for leading junk and the tags before
    /// the audio, where a file that is not accepted (another format, DRM, random bytes) is refused.</summary>
    internal const int SniffBytes = 8 * 1024 * 1024;

    /// <param name="content">The caller's stream.</param>
    /// <param name="tempFolder">Where a stream that cannot seek is spooled (the system's temp folder when empty).</param>
    /// <param name="sniffer">When set, the first <see cref="SniffBytes"/> of a spooled stream also go through its push parser,
    /// which throws <see cref="Media.MediaFormatException"/> as soon as they show the file is not an accepted format or is
    /// DRM-protected: the spool stops there instead of taking the whole body first.</param>
    /// <param name="cancellationToken">Cancels the copy.</param>
    public static async Task<SeekableSource> OpenAsync(Stream content, string? tempFolder, Media.MediaProber? sniffer, CancellationToken cancellationToken)
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
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(128 * 1024);
        try
        {
            var parser = sniffer?.CreateStreamParser();
            int n;
            while ((n = await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (parser is not null)
                {
                    try
                    {
                        parser.Append(buffer.AsSpan(0, n));
                        parser = parser.BytesAppended < SniffBytes ? parser : null;
                    }
                    catch (Media.MediaFormatException ex) when (ex.ErrorCode is not (Media.MediaErrorCode.UnsupportedFormat or Media.MediaErrorCode.DrmProtected))
                    {
                        // Only what the file is (not audio, DRM) is refused here. Its structure is judged by the pipeline on the
                        // layout it stores, which a fast-start rewrite may change (a last box of size 0 is fine to rewrite).
                        parser = null;
                    }
                }

                await spool.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            }

            spool.Position = 0;
            return new SeekableSource(spool, owned: true);
        }
        catch
        {
            await spool.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
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
