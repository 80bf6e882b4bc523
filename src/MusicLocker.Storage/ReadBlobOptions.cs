namespace MusicLocker.Storage;

/// <summary>Options of a read.</summary>
public sealed class ReadBlobOptions
{
    /// <summary>The bytes to read (the whole blob by default).</summary>
    public ByteRange Range { get; init; }

    /// <summary>
    /// Read only this version: a read that would return other bytes throws <see cref="BlobConditionFailedException"/>.
    /// Pass the ETag of a first read to every later one so a read in several requests never mixes two versions.
    /// </summary>
    public ETag? IfMatch { get; init; }
}
