using MusicLocker.Media;

namespace MusicLocker;

/// <summary>Choices for one download (<see cref="ILockerDownloads.DownloadToAsync(Guid, Stream, DownloadOptions, CancellationToken)"/>).</summary>
public sealed class DownloadOptions
{
    /// <summary>
    /// The ID3v2 version of an edited MP3 copy (when <see cref="MusicLockerOptions.TagCopyWriter"/> writes one):
    /// <see cref="Id3v2Version.V23"/> for players that read nothing newer, <see cref="Id3v2Version.V24"/>, or
    /// <see cref="Id3v2Version.Default"/> for the writer's own option. An original handed out unedited keeps its own tags.
    /// </summary>
    public Id3v2Version Id3v2Version { get; init; }
}
