using System.Diagnostics.CodeAnalysis;

namespace MusicLocker.Storage.Providers;

/// <summary>
/// The argument checks of MusicLocker.Storage (whose own are internal), applied the same way by the cloud providers so a
/// call refused by one store is refused by all. Compiled into both cloud provider assemblies (linked, not copied).
/// </summary>
internal static class ProviderValidation
{
    public static void Key(BlobKey key, string paramName = "key")
    {
        if (key.IsDefault)
        {
            throw new ArgumentException("The key is default(BlobKey); create keys with BlobKey.Parse.", paramName);
        }
    }

    public static void Conditions(BlobRequestConditions? conditions)
    {
        if (conditions is null)
        {
            return;
        }

        if (conditions.IfMatch is { IsDefault: true })
        {
            throw new ArgumentException("IfMatch must not be default(ETag).", nameof(conditions));
        }

        if (conditions.IfMatch is not null && conditions.IfNoneMatchAny)
        {
            throw new ArgumentException("IfMatch and IfNoneMatchAny cannot both be set: a blob cannot both exist at a version and not exist.", nameof(conditions));
        }
    }

    public static void Options(BlobKey key, PutBlobOptions? options)
    {
        Key(key);
        if (options is null)
        {
            return;
        }

        Conditions(options.Conditions);
        Metadata(key, options.Metadata);
    }

    public static void Metadata(BlobKey key, IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null)
        {
            return;
        }

        int total = 0;
        foreach (var (name, value) in metadata)
        {
            if (string.IsNullOrEmpty(name) || !IsMetadataName(name))
            {
                throw new BlobStoreException(BlobErrorCode.InvalidArgument, $"Metadata name '{name}' of blob '{key}' is not valid: use ASCII letters, digits and '-', starting with a letter.", key.Value);
            }

            if (value is null || !IsMetadataValue(value))
            {
                throw new BlobStoreException(BlobErrorCode.InvalidArgument, $"Metadata value of '{name}' on blob '{key}' is not valid: use printable ASCII (U+0020–U+007E) without leading or trailing spaces.", key.Value);
            }

            total += name.Length + value.Length;
        }

        if (total > BlobStoreLimits.MaxMetadataBytes)
        {
            throw new BlobStoreException(BlobErrorCode.InvalidArgument, $"Metadata of blob '{key}' is {total} bytes; at most {BlobStoreLimits.MaxMetadataBytes} are allowed.", key.Value);
        }
    }

    /// <summary>Metadata names are stored lower-case: S3 lower-cases them and Azure compares them case-insensitively.</summary>
    public static Dictionary<string, string> NormalizeMetadata(IReadOnlyDictionary<string, string>? metadata)
    {
        var result = new Dictionary<string, string>(metadata?.Count ?? 0, StringComparer.Ordinal);
        if (metadata is not null)
        {
            foreach (var (name, value) in metadata)
            {
                result[name.ToLowerInvariant()] = value;
            }
        }

        return result;
    }

    public static void PartNumber(int partNumber)
    {
        if (partNumber is < 1 or > BlobStoreLimits.MaxPartNumber)
        {
            throw new ArgumentOutOfRangeException(nameof(partNumber), partNumber, $"A part number is 1 to {BlobStoreLimits.MaxPartNumber}.");
        }
    }

    public static void Upload(MultipartUpload upload)
    {
        ArgumentNullException.ThrowIfNull(upload);
        Key(upload.Key, nameof(upload));
        ArgumentException.ThrowIfNullOrEmpty(upload.UploadId, nameof(upload));
    }

    public static void CompletionParts(MultipartUpload upload, IReadOnlyList<UploadedPart> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count == 0)
        {
            ThrowInvalidPart(upload.Key, $"Completing upload '{upload.UploadId}' needs at least one part.");
        }

        int previous = 0;
        foreach (var part in parts)
        {
            if (part.PartNumber <= previous)
            {
                ThrowInvalidPart(upload.Key, $"Parts of upload '{upload.UploadId}' must be listed in ascending part-number order without repeats; part {part.PartNumber} follows part {previous}.");
            }

            PartNumber(part.PartNumber);
            if (part.ETag.IsDefault)
            {
                ThrowInvalidPart(upload.Key, $"Part {part.PartNumber} of upload '{upload.UploadId}' has no ETag; pass the UploadedPart that UploadPartAsync returned.");
            }

            previous = part.PartNumber;
        }
    }

    [DoesNotReturn]
    public static void ThrowInvalidPart(BlobKey key, string message) => throw new BlobStoreException(BlobErrorCode.InvalidPart, message, key.Value);

    public static BlobNotFoundException UploadNotFound(MultipartUpload upload, Exception? inner = null) =>
        new(upload.Key.Value, $"The multipart upload '{upload.UploadId}' to '{upload.Key}' does not exist: it was completed, aborted or swept.", BlobErrorCode.UploadNotFound, inner);

    public static BlobConditionFailedException ConditionFailed(BlobKey key, BlobRequestConditions? conditions, Exception? inner = null) =>
        new(key.Value, conditions?.IfNoneMatchAny == true
            ? $"A blob with the key '{key}' exists already (create-only write)."
            : conditions?.IfMatch is { } expected
                ? $"The blob '{key}' is not at version {expected} (it was changed or deleted)."
                : $"A condition on blob '{key}' did not hold.", inner);

    public static BlobConditionFailedException ReadVersionChanged(BlobKey key, ETag expected, ETag actual) =>
        new(key.Value, $"The blob '{key}' is at version {actual}, not {expected}.");

    private static bool IsMetadataName(string name)
    {
        if (!char.IsAsciiLetter(name[0]))
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsMetadataValue(string value)
    {
        if (value.Length > 0 && (value[0] == ' ' || value[^1] == ' '))
        {
            return false;
        }

        foreach (char c in value)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }
}
