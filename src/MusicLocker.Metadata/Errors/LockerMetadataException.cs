namespace MusicLocker.Metadata;

/// <summary>The root of every metadata store error: a <see cref="MetadataErrorCode"/> and a message that says what to do.</summary>
public class LockerMetadataException : Exception
{
    /// <summary>Creates a metadata error.</summary>
    public LockerMetadataException(MetadataErrorCode errorCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorCode = errorCode;
    }

    /// <summary>Creates a metadata error with code <see cref="MetadataErrorCode.Unknown"/>.</summary>
    public LockerMetadataException()
        : this(MetadataErrorCode.Unknown, "A metadata store operation failed.")
    {
    }

    /// <summary>Creates a metadata error with code <see cref="MetadataErrorCode.Unknown"/>.</summary>
    public LockerMetadataException(string message)
        : this(MetadataErrorCode.Unknown, message)
    {
    }

    /// <summary>Creates a metadata error with code <see cref="MetadataErrorCode.Unknown"/>.</summary>
    public LockerMetadataException(string message, Exception innerException)
        : this(MetadataErrorCode.Unknown, message, innerException)
    {
    }

    /// <summary>What went wrong.</summary>
    public MetadataErrorCode ErrorCode { get; }

    /// <summary>Whether retrying the same operation later may succeed.</summary>
    public bool IsTransient => ErrorCode == MetadataErrorCode.Unavailable;
}
