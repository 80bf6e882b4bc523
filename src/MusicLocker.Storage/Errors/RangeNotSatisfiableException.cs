namespace MusicLocker.Storage;

/// <summary>A range starts at or past the end of the blob (HTTP 416).</summary>
public sealed class RangeNotSatisfiableException : BlobStoreException
{
    /// <summary>Creates the error.</summary>
    public RangeNotSatisfiableException(string key, ByteRange range, long blobLength)
        : base(BlobErrorCode.RangeNotSatisfiable, $"The range {range} is not satisfiable for blob '{key}' of {blobLength} bytes.", key)
    {
        Range = range;
        BlobLength = blobLength;
    }

    /// <summary>The range asked for.</summary>
    public ByteRange Range { get; }

    /// <summary>The length of the blob.</summary>
    public long BlobLength { get; }
}
