namespace MusicLocker.Metadata;

/// <summary>The database holds a schema this code cannot use: newer than it knows, or not a MusicLocker schema.</summary>
public sealed class MetadataSchemaException : LockerMetadataException
{
    /// <summary>Creates the error.</summary>
    public MetadataSchemaException(string message, int? foundVersion = null)
        : base(MetadataErrorCode.SchemaMismatch, message)
    {
        FoundVersion = foundVersion;
    }

    /// <summary>The schema version found in the database, when there is one.</summary>
    public int? FoundVersion { get; }
}
