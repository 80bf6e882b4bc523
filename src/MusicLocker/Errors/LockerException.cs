namespace MusicLocker;

/// <summary>
/// The one error root of the locker: every failure of an <see cref="ILocker"/> call is a <see cref="LockerException"/> (or
/// <see cref="OperationCanceledException"/>). The layer's own error, when there was one, is the
/// <see cref="Exception.InnerException"/>; its media refusal codes, quota numbers and key states are carried over into
/// <see cref="ErrorCode"/>.
/// </summary>
public class LockerException : Exception
{
    /// <summary>Creates the error.</summary>
    public LockerException(LockerErrorCode errorCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorCode = errorCode;
    }

    /// <summary>Creates an unclassified error.</summary>
    public LockerException()
        : this(LockerErrorCode.Unknown, "The locker call failed.")
    {
    }

    /// <summary>Creates an unclassified error.</summary>
    public LockerException(string message)
        : this(LockerErrorCode.Unknown, message)
    {
    }

    /// <summary>Creates an unclassified error.</summary>
    public LockerException(string message, Exception innerException)
        : this(LockerErrorCode.Unknown, message, innerException)
    {
    }

    /// <summary>What went wrong.</summary>
    public LockerErrorCode ErrorCode { get; }

    /// <summary>Whether the same call may succeed later unchanged (a store or database did not answer, a write raced).</summary>
    public bool IsTransient => ErrorCode is LockerErrorCode.Unavailable or LockerErrorCode.Conflict;
}

/// <summary>An upload did not fit in the user's quota; nothing was stored or charged.</summary>
public sealed class LockerQuotaExceededException : LockerException
{
    /// <summary>Creates the error.</summary>
    public LockerQuotaExceededException(string message, long neededBytes, long availableBytes, long limitBytes, Exception? innerException = null)
        : base(LockerErrorCode.QuotaExceeded, message, innerException)
    {
        NeededBytes = neededBytes;
        AvailableBytes = availableBytes;
        LimitBytes = limitBytes;
    }

    /// <summary>Creates the error.</summary>
    public LockerQuotaExceededException()
        : this("The upload does not fit in the quota.", 0, 0, 0)
    {
    }

    /// <summary>Creates the error.</summary>
    public LockerQuotaExceededException(string message)
        : this(message, 0, 0, 0)
    {
    }

    /// <summary>Creates the error.</summary>
    public LockerQuotaExceededException(string message, Exception innerException)
        : this(message, 0, 0, 0, innerException)
    {
    }

    /// <summary>The bytes the upload needed.</summary>
    public long NeededBytes { get; }

    /// <summary>The bytes still free when it was refused.</summary>
    public long AvailableBytes { get; }

    /// <summary>The quota in force.</summary>
    public long LimitBytes { get; }
}
