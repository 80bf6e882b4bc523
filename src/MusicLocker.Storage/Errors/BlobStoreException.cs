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

/// <summary>No blob has the key, or (with <see cref="BlobErrorCode.UploadNotFound"/>) the multipart upload does not exist.</summary>
public sealed class BlobNotFoundException : BlobStoreException
{
    /// <summary>Creates the error.</summary>
    public BlobNotFoundException(string key, string? message = null, BlobErrorCode errorCode = BlobErrorCode.BlobNotFound, Exception? innerException = null)
        : base(errorCode, message ?? $"No blob has the key '{key}'.", key, innerException)
    {
    }
}

/// <summary>An ETag condition did not hold (a create-only write found a blob, or the current version is not the one named); nothing was changed.</summary>
public sealed class BlobConditionFailedException : BlobStoreException
{
    /// <summary>Creates the error.</summary>
    public BlobConditionFailedException(string key, string message, Exception? innerException = null)
        : base(BlobErrorCode.ConditionFailed, message, key, innerException)
    {
    }
}

/// <summary>A key breaks one of the <see cref="BlobKey"/> rules (or a provider's own limit); <see cref="Rule"/> says which.</summary>
public sealed class InvalidBlobKeyException : BlobStoreException
{
    /// <summary>Creates the error.</summary>
    public InvalidBlobKeyException(string key, string rule)
        : base(BlobErrorCode.InvalidKey, $"Invalid blob key '{Printable(key)}': {rule}.", key)
    {
        Rule = rule;
    }

    /// <summary>The rule the key breaks.</summary>
    public string Rule { get; }

    private static string Printable(string key)
    {
        var chars = key.Length > 200 ? key[..200] + "…" : key;
        return string.Create(chars.Length, chars, static (span, s) =>
        {
            for (int i = 0; i < s.Length; i++)
            {
                span[i] = char.IsControl(s[i]) ? '?' : s[i];
            }
        });
    }
}

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
