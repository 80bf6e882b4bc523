using System.IO.Compression;

namespace MusicLocker.Internal.Export;

/// <summary>
/// An export as a ZIP archive written front to back onto any writable stream (it need not seek: entries carry data
/// descriptors). Each entry is streamed through; audio is stored (already compressed), documents deflated.
/// </summary>
internal sealed class ZipExportSink : IExportSink
{
    private readonly ZipArchive _archive;
    private readonly DateTimeOffset _stamp;

    private ZipExportSink(ZipArchive archive, DateTimeOffset stamp)
    {
        _archive = archive;
        _stamp = stamp;
    }

    public static ZipExportSink Create(Stream destination, DateTimeOffset stamp) =>
        new(new ZipArchive(destination, ZipArchiveMode.Create, leaveOpen: true), stamp);

    public async Task WriteEntryAsync(string path, bool compress, Func<Stream, Task> write, CancellationToken cancellationToken)
    {
        var entry = _archive.CreateEntry(path, compress ? CompressionLevel.Optimal : CompressionLevel.NoCompression);
        entry.LastWriteTime = _stamp;
        await Guarded(async () =>
        {
            var stream = await entry.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                await write(stream).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);
    }

    /// <summary>Writes the central directory: only a complete export becomes a readable archive.</summary>
    public Task CompleteAsync(CancellationToken cancellationToken) => Guarded(async () => await _archive.DisposeAsync().ConfigureAwait(false));

    /// <summary>
    /// Nothing to release (the caller's stream stays open). A failed or cancelled export never gets a central directory,
    /// so what was written is not mistaken for a whole archive.
    /// </summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static async Task Guarded(Func<Task> write)
    {
        try
        {
            await write().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or NotSupportedException or ObjectDisposedException)
        {
            throw new LockerException(LockerErrorCode.DestinationUnwritable, $"The export could not write to its stream: {ex.Message}", ex);
        }
    }
}
