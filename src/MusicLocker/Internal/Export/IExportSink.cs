namespace MusicLocker.Internal.Export;

/// <summary>Where an export goes: a folder or a ZIP stream. Entries are written one at a time, each streamed.</summary>
internal interface IExportSink : IAsyncDisposable
{
    /// <summary>Writes one entry at <paramref name="path"/> (segments made by <see cref="ExportNames"/>, joined by <c>/</c>).</summary>
    Task WriteEntryAsync(string path, bool compress, Func<Stream, Task> write, CancellationToken cancellationToken);

    /// <summary>Finishes the export (a ZIP writes its central directory).</summary>
    Task CompleteAsync(CancellationToken cancellationToken);
}
