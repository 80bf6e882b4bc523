namespace MusicLocker.Metadata;

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
