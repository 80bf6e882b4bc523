namespace MusicLocker.Storage;

/// <summary>
/// Preconditions on a write or delete, checked atomically with it: <see cref="IfNoneMatchAny"/> (create only) or
/// <see cref="IfMatch"/> (replace or delete only this version). A failed condition throws
/// <see cref="BlobConditionFailedException"/> and changes nothing.
/// </summary>
public sealed class BlobRequestConditions
{
    /// <summary>Create-only: the write succeeds only when no blob has the key (HTTP <c>If-None-Match: *</c>).</summary>
    public static BlobRequestConditions CreateOnly { get; } = new() { IfNoneMatchAny = true };

    /// <summary>The operation succeeds only when the current version has this ETag.</summary>
    public static BlobRequestConditions Matching(ETag eTag) => new() { IfMatch = eTag };

    /// <summary>Succeed only if the current version has this ETag (HTTP <c>If-Match</c>).</summary>
    public ETag? IfMatch { get; init; }

    /// <summary>Succeed only if no blob has the key (HTTP <c>If-None-Match: *</c>).</summary>
    public bool IfNoneMatchAny { get; init; }

    internal void Validate()
    {
        if (IfMatch is { IsDefault: true })
        {
            throw new ArgumentException("IfMatch must not be default(ETag).", nameof(IfMatch));
        }

        if (IfMatch is not null && IfNoneMatchAny)
        {
            throw new ArgumentException("IfMatch and IfNoneMatchAny cannot both be set: a blob cannot both exist at a version and not exist.");
        }
    }
}
