using MusicLocker.Media;
using MusicLocker.Metadata;

namespace MusicLocker.Internal;

/// <summary>What an edited download writes into a copy of a stored file so that it carries the catalog's tags.</summary>
internal static class CatalogTagChanges
{
    /// <summary>
    /// Null when <paramref name="catalog"/> shows the file's own tags (read as an upload reads them), so the original is
    /// handed out; else every field of the catalog, in the <see cref="ITagCopyWriter"/> convention (empty or 0 removes).
    /// Every field, not only the changed ones: a copy may carry fewer tags than the original (an MP3 copy keeps only its
    /// ID3v2), so a value the original held in another tag is written again. The title counts as changed only when the
    /// file has one: a file without a title was catalogued under its file name, which the catalog does not keep apart
    /// from an edit. The compilation flag counts as changed when the catalog's (unset = false) differs from the file's.
    /// </summary>
    public static AudioTags? Between(AudioTags file, TrackTags catalog)
    {
        var own = UploadPipeline.TagsFrom(file, string.Empty);
        bool changed = (!string.IsNullOrWhiteSpace(file.Title) && !Same(own.Title, catalog.Title))
            || !Same(own.Artist, catalog.Artist) || !Same(own.Album, catalog.Album) || !Same(own.AlbumArtist, catalog.AlbumArtist)
            || !Same(own.Genre, catalog.Genre) || !Same(own.Comment, catalog.Comment)
            || own.Year != catalog.Year || own.TrackNumber != catalog.TrackNumber || own.TrackCount != catalog.TrackCount
            || own.DiscNumber != catalog.DiscNumber || own.DiscCount != catalog.DiscCount
            || (own.Compilation ?? false) != (catalog.Compilation ?? false);
        return !changed ? null : All(catalog);
    }

    /// <summary>Every field of the catalog, in the <see cref="ITagCopyWriter"/> convention (empty or 0 removes).</summary>
    public static AudioTags All(TrackTags catalog) => new()
    {
        Title = catalog.Title,
        Artist = catalog.Artist ?? string.Empty,
        Album = catalog.Album ?? string.Empty,
        AlbumArtist = catalog.AlbumArtist ?? string.Empty,
        Genre = catalog.Genre ?? string.Empty,
        Comment = catalog.Comment ?? string.Empty,
        Year = catalog.Year ?? 0,
        TrackNumber = catalog.TrackNumber ?? 0,
        TrackCount = catalog.TrackCount ?? 0,
        DiscNumber = catalog.DiscNumber ?? 0,
        DiscCount = catalog.DiscCount ?? 0,
        Compilation = catalog.Compilation ?? false,
    };

    private static bool Same(string? own, string? catalog) => string.Equals(own, catalog, StringComparison.Ordinal);
}
