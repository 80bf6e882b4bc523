namespace MusicLocker.Library;

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

/// <summary>A record does not exist, or belongs to another user (the store never reveals which).</summary>
public sealed class MetadataNotFoundException : LockerMetadataException
{
    /// <summary>Creates the error.</summary>
    public MetadataNotFoundException(MetadataEntity entity, string id, string? userId = null, string? message = null)
        : base(MetadataErrorCode.NotFound, message ?? DefaultMessage(entity, id, userId))
    {
        Entity = entity;
        Id = id;
        UserId = userId;
    }

    /// <summary>The kind of record that is missing.</summary>
    public MetadataEntity Entity { get; }

    /// <summary>The id that was looked up.</summary>
    public string Id { get; }

    /// <summary>The user the lookup was scoped to, when it was.</summary>
    public string? UserId { get; }

    private static string DefaultMessage(MetadataEntity entity, string id, string? userId) => userId is null
        ? $"No {entity} has the id '{id}'."
        : $"User '{userId}' has no {entity} with the id '{id}'.";
}

/// <summary>A write broke a uniqueness or version condition (another writer got there first); nothing was changed.</summary>
public sealed class MetadataConflictException : LockerMetadataException
{
    /// <summary>Creates the error.</summary>
    public MetadataConflictException(string message, Exception? innerException = null)
        : base(MetadataErrorCode.Conflict, message, innerException)
    {
    }
}

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
