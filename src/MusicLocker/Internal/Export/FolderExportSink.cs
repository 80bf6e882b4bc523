namespace MusicLocker.Internal.Export;

/// <summary>An export into a new or empty folder; every file is created new (never overwrites).</summary>
internal sealed class FolderExportSink : IExportSink
{
    private readonly string _root;

    private FolderExportSink(string root) => _root = root;

    public static FolderExportSink Create(string folder)
    {
        string root = Path.GetFullPath(folder);
        try
        {
            if (File.Exists(root) || (Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any()))
            {
                LockerErrors.ThrowInvalidArgument(nameof(folder), $"The export folder '{root}' must be new or empty.");
            }

            Directory.CreateDirectory(root);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Unwritable(root, ex);
        }

        return new FolderExportSink(root);
    }

    public async Task WriteEntryAsync(string path, bool compress, Func<Stream, Task> write, CancellationToken cancellationToken)
    {
        string full = Path.GetFullPath(Path.Combine(_root, path.Replace('/', Path.DirectorySeparatorChar)));
        if (!full.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            // ExportNames makes this impossible; a second wall, since the names come from hostile tags.
            throw new LockerException(LockerErrorCode.Unknown, $"An export path left the export folder: '{path}'.");
        }

        FileStream file;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            file = new FileStream(full, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Unwritable(full, ex);
        }

        await using (file.ConfigureAwait(false))
        {
            try
            {
                await write(file).ConfigureAwait(false);
                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw Unwritable(full, ex);
            }
        }
    }

    public Task CompleteAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static LockerException Unwritable(string path, Exception ex) =>
        new(LockerErrorCode.DestinationUnwritable, $"The export could not write '{path}': {ex.Message}", ex);
}
