namespace MusicLocker.Storage;

/// <summary>The root of every storage error: a <see cref="BlobErrorCode"/>, the key concerned, and a message that says what to do.</summary>
public class BlobStoreException : Exception
{
    /// <summary>Creates a storage error.</summary>
    public BlobStoreException(BlobErrorCode errorCode, string message, string? key = null, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorCode = errorCode;
        Key = key;
    }

    /// <summary>Creates a storage error with code <see cref="BlobErrorCode.Unknown"/>.</summary>
    public BlobStoreException()
        : this(BlobErrorCode.Unknown, "A storage operation failed.")
    {
    }

    /// <summary>Creates a storage error with code <see cref="BlobErrorCode.Unknown"/>.</summary>
    public BlobStoreException(string message)
        : this(BlobErrorCode.Unknown, message)
    {
    }

    /// <summary>Creates a storage error with code <see cref="BlobErrorCode.Unknown"/>.</summary>
    public BlobStoreException(string message, Exception innerException)
        : this(BlobErrorCode.Unknown, message, null, innerException)
    {
    }

    /// <summary>What went wrong.</summary>
    public BlobErrorCode ErrorCode { get; }

    /// <summary>The key concerned (as text: an invalid key has no <see cref="BlobKey"/>), when there is one.</summary>
    public string? Key { get; }

    /// <summary>Whether retrying the same operation later may succeed.</summary>
    public bool IsTransient => ErrorCode == BlobErrorCode.Unavailable;
}
