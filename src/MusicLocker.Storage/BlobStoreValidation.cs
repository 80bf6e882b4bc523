namespace MusicLocker.Storage;

/// <summary>
/// Argument checks every <see cref="IBlobStore"/> applies the same way, so a call refused by one provider is refused by all.
/// Public for provider implementers: call these at the top of each operation, before any I/O.
/// </summary>
public static class BlobStoreValidation
{
    /// <summary>Refuses <c>default(BlobKey)</c>.</summary>
    public static void Key(BlobKey key, string paramName = "key")
    {
        if (key.IsDefault)
        {
            throw new ArgumentException("The key is default(BlobKey); create keys with BlobKey.Parse.", paramName);
        }
    }

    /// <summary>Checks a key and put options (conditions, content type and metadata): every header a provider stores.</summary>
    public static void Options(BlobKey key, PutBlobOptions? options)
    {
        Key(key);
        if (options is null)
        {
            return;
        }

        options.Conditions?.Validate();
        ContentType(key, options.ContentType);
        Metadata(key, options.Metadata);
    }

    /// <summary>
    /// Checks a content type (<see langword="null"/> means none): an RFC 9110 media type, <c>type/subtype</c> followed by
    /// <c>; name=value</c> parameters, where type, subtype and names are tokens and a value is a token or a quoted string;
    /// printable ASCII only, no leading or trailing space, at most <see cref="BlobStoreLimits.MaxContentTypeLength"/> characters.
    /// </summary>
    public static void ContentType(BlobKey key, string? contentType)
    {
        if (contentType is null)
        {
            return;
        }

        if (contentType.Length > BlobStoreLimits.MaxContentTypeLength)
        {
            throw new BlobStoreException(BlobErrorCode.InvalidArgument, $"The content type of blob '{key}' is {contentType.Length} characters; at most {BlobStoreLimits.MaxContentTypeLength} are allowed.", key.Value);
        }

        if (!MediaType.IsValid(contentType))
        {
            throw new BlobStoreException(BlobErrorCode.InvalidArgument, $"The content type of blob '{key}' is not a media type: write type/subtype, then optional '; name=value' parameters (RFC 9110 tokens or quoted strings, printable ASCII), as in 'audio/mpeg' or 'text/plain; charset=utf-8'.", key.Value);
        }
    }

    /// <summary>Checks user metadata: ASCII names of letters, digits and '-', printable ASCII values, at most <see cref="BlobStoreLimits.MaxMetadataBytes"/> in all.</summary>
    public static void Metadata(BlobKey key, IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null)
        {
            return;
        }

        int total = 0;
        var names = new HashSet<string>(metadata.Count, StringComparer.OrdinalIgnoreCase);
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

            if (!names.Add(name))
            {
                throw new BlobStoreException(BlobErrorCode.InvalidArgument, $"Metadata of blob '{key}' has two names that differ only in case ('{name}'); names are stored lower-case, so one would silently replace the other.", key.Value);
            }

            total += name.Length + value.Length;
        }

        if (total > BlobStoreLimits.MaxMetadataBytes)
        {
            throw new BlobStoreException(BlobErrorCode.InvalidArgument, $"Metadata of blob '{key}' is {total} bytes; at most {BlobStoreLimits.MaxMetadataBytes} are allowed.", key.Value);
        }
    }

    /// <summary>Returns a copy with lower-case names: S3 lower-cases them and Azure compares them case-insensitively, so every provider stores them so.</summary>
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

    /// <summary>Checks a part number is 1 to <see cref="BlobStoreLimits.MaxPartNumber"/>.</summary>
    public static void PartNumber(int partNumber)
    {
        if (partNumber is < 1 or > BlobStoreLimits.MaxPartNumber)
        {
            throw new ArgumentOutOfRangeException(nameof(partNumber), partNumber, $"A part number is 1 to {BlobStoreLimits.MaxPartNumber}.");
        }
    }

    /// <summary>The arguments of <see cref="IBlobReadUrlSource.GetReadUrlAsync"/>: a key, and a validity in <c>(0, maxValidity]</c>.</summary>
    /// <exception cref="ArgumentException"><paramref name="key"/> is <see langword="default"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="validity"/> is not positive or exceeds <paramref name="maxValidity"/>.</exception>
    public static void ReadUrl(BlobKey key, TimeSpan validity, TimeSpan maxValidity)
    {
        Key(key);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(validity, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(validity, maxValidity);
    }

    /// <summary>Checks a multipart upload handle.</summary>
    public static void Upload(MultipartUpload upload)
    {
        ArgumentNullException.ThrowIfNull(upload);
        Key(upload.Key, nameof(upload));
        ArgumentException.ThrowIfNullOrEmpty(upload.UploadId, nameof(upload));
    }

    /// <summary>Checks the parts of a completion: at least one, ascending, no repeats, numbers in range.</summary>
    public static void CompletionParts(MultipartUpload upload, IReadOnlyList<UploadedPart> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count == 0)
        {
            ThrowHelper.ThrowInvalidPart(upload.Key, $"Completing upload '{upload.UploadId}' needs at least one part.");
        }

        int previous = 0;
        foreach (var part in parts)
        {
            if (part.PartNumber <= previous)
            {
                ThrowHelper.ThrowInvalidPart(upload.Key, $"Parts of upload '{upload.UploadId}' must be listed in ascending part-number order without repeats; part {part.PartNumber} follows part {previous}.");
            }

            PartNumber(part.PartNumber);
            previous = part.PartNumber;
        }
    }

    /// <summary>Refuses conditions that cannot both hold (If-Match together with If-None-Match: *) or a default ETag.</summary>
    public static void RequestConditions(BlobRequestConditions? conditions) => conditions?.Validate();

    /// <summary>Checks write or delete conditions against the current version (<see langword="null"/> when no blob has the key); throws <see cref="BlobConditionFailedException"/>.</summary>
    public static void Conditions(BlobKey key, BlobRequestConditions? conditions, ETag? current)
    {
        if (conditions is null)
        {
            return;
        }

        if (conditions.IfNoneMatchAny && current is not null)
        {
            ThrowHelper.ThrowExists(key);
        }

        if (conditions.IfMatch is { } expected && current != expected)
        {
            ThrowHelper.ThrowETagMismatch(key, expected, current);
        }
    }

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
