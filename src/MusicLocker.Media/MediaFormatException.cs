namespace MusicLocker.Media;

/// <summary>
/// The one error a probe throws for bad input: the file is not accepted, <see cref="ErrorCode"/> says why and
/// <see cref="Offset"/> where (when one byte position is to blame).
/// </summary>
public sealed class MediaFormatException : Exception
{
    /// <summary>Creates the error.</summary>
    public MediaFormatException(MediaErrorCode code, string message, long? offset = null, Exception? innerException = null)
        : base(offset is { } o ? $"{message} (at byte {o})" : message, innerException)
    {
        ErrorCode = code;
        Offset = offset;
    }

    /// <summary>Creates an error with code <see cref="MediaErrorCode.Corrupt"/>.</summary>
    public MediaFormatException()
        : this(MediaErrorCode.Corrupt, "The media file is corrupt.")
    {
    }

    /// <summary>Creates an error with code <see cref="MediaErrorCode.Corrupt"/>.</summary>
    public MediaFormatException(string message)
        : this(MediaErrorCode.Corrupt, message)
    {
    }

    /// <summary>Creates an error with code <see cref="MediaErrorCode.Corrupt"/>.</summary>
    public MediaFormatException(string message, Exception innerException)
        : this(MediaErrorCode.Corrupt, message, null, innerException)
    {
    }

    /// <summary>Why the file was refused.</summary>
    public MediaErrorCode ErrorCode { get; }

    /// <summary>The byte position in the file the error is about, when there is one.</summary>
    public long? Offset { get; }
}
