namespace MusicLocker.Media.TagLib;

/// <summary>A new front cover: the picture's bytes and MIME type (<c>image/jpeg</c> or <c>image/png</c>).</summary>
public sealed class CoverArtEdit
{
    /// <summary>The largest picture written (16 MiB): a cover is never larger in a real file.</summary>
    public const int MaxLength = 16 * 1024 * 1024;

    /// <summary>The picture.</summary>
    public required ReadOnlyMemory<byte> Data { get; init; }

    /// <summary>The MIME type: <c>image/jpeg</c> or <c>image/png</c> (the ones MP4 <c>covr</c> names).</summary>
    public required string MimeType { get; init; }

    internal void Validate()
    {
        if (Data.IsEmpty || Data.Length > MaxLength)
        {
            throw new ArgumentOutOfRangeException("edits.CoverArt.Data", Data.Length, $"A cover is 1 to {MaxLength} bytes.");
        }

        if (MimeType is not ("image/jpeg" or "image/png"))
        {
            throw new ArgumentException($"The cover's MIME type '{MimeType}' is not image/jpeg or image/png.", "edits.CoverArt.MimeType");
        }

        string sniffed = CoverArtInfo.SniffMimeType(Data.Span);
        if (!string.Equals(sniffed, MimeType, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The cover's bytes are {sniffed}, not the {MimeType} its MIME type claims.", "edits.CoverArt.Data");
        }
    }
}
