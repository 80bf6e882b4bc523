namespace MusicLocker.Metadata;

/// <summary>A write broke a uniqueness or version condition (another writer got there first); nothing was changed.</summary>
public sealed class MetadataConflictException : LockerMetadataException
{
    /// <summary>Creates the error.</summary>
    public MetadataConflictException(string message, Exception? innerException = null)
        : base(MetadataErrorCode.Conflict, message, innerException)
    {
    }
}
