namespace MusicLocker.Media.TagLib;

/// <summary>Choices and limits of an <see cref="EditedCopyWriter"/>.</summary>
public sealed class EditedCopyOptions
{
    /// <summary>The ID3v2 version of an edited MP3. Default ID3v2.4.</summary>
    public Id3v2Version Id3v2Version { get; init; }

    /// <summary>
    /// The largest part of the original held in memory to be rewritten: an MP3's leading tags, an MP4's <c>moov</c> box.
    /// Default 64 MiB (a cover or a long audiobook's sample tables fit); the audio is never held.
    /// </summary>
    public int MaxTagRegionSize { get; init; } = 64 * 1024 * 1024;

    /// <summary>The size of each read of the audio copied. Default 1 MiB.</summary>
    public int CopyBufferSize { get; init; } = 1024 * 1024;

    internal EditedCopyOptions Clone() => (EditedCopyOptions)MemberwiseClone();

    internal void Validate()
    {
        if (Id3v2Version is not (Id3v2Version.Default or Id3v2Version.V23 or Id3v2Version.V24))
        {
            throw new ArgumentOutOfRangeException("options.Id3v2Version", Id3v2Version, "ID3v2.3 or ID3v2.4.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MaxTagRegionSize, 64 * 1024, "options.MaxTagRegionSize");
        ArgumentOutOfRangeException.ThrowIfLessThan(CopyBufferSize, 4096, "options.CopyBufferSize");
    }
}
