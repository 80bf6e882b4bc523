namespace MusicLocker.Metadata;

/// <summary>
/// An argument was refused before anything was read or written: malformed text (a NUL, an unpaired surrogate), a value
/// over a documented cap (<see cref="MetadataLimits"/>), a negative or oversized byte count, a forged cursor, or a storage
/// key outside the user's own prefix. Not transient: the same call fails the same way.
/// </summary>
public sealed class MetadataArgumentException : LockerMetadataException
{
    /// <summary>Creates the error.</summary>
    /// <param name="parameterName">The parameter, or the member path inside it (e.g. <c>track.Tags.Title</c>).</param>
    /// <param name="message">What was wrong and what is accepted.</param>
    /// <param name="innerException">The error that revealed it, when there is one.</param>
    public MetadataArgumentException(string parameterName, string message, Exception? innerException = null)
        : base(MetadataErrorCode.InvalidArgument, $"{message} (parameter '{parameterName}')", innerException)
    {
        ParameterName = parameterName;
    }

    /// <summary>The parameter refused, or the member path inside it (e.g. <c>track.Tags.Title</c>).</summary>
    public string ParameterName { get; }
}
