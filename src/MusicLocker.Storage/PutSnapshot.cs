namespace MusicLocker.Storage;

/// <summary>
/// What a store keeps of a caller's <see cref="PutBlobOptions"/>: copied once and validated, so a caller changing its
/// options or its metadata dictionary during (or after) the call can neither change what is stored nor slip past validation.
/// </summary>
internal sealed record PutSnapshot(string? ContentType, Dictionary<string, string>? Metadata, BlobRequestConditions? Conditions)
{
    public static PutSnapshot None { get; } = new(null, null, null);

    /// <summary>Copies <paramref name="options"/> (metadata names lower-cased), then validates the copy.</summary>
    public static PutSnapshot Take(BlobKey key, PutBlobOptions? options)
    {
        BlobStoreValidation.Key(key);
        if (options is null)
        {
            return None;
        }

        string? contentType = options.ContentType;
        var conditions = options.Conditions is { } c ? new BlobRequestConditions { IfMatch = c.IfMatch, IfNoneMatchAny = c.IfNoneMatchAny } : null;
        Dictionary<string, string>? metadata = null;
        if (options.Metadata is { } source)
        {
            // Validate the exact pairs that are then normalised and stored.
            var pairs = new Dictionary<string, string>(source.Count, StringComparer.Ordinal);
            foreach (var (name, value) in source)
            {
                if (name is null)
                {
                    BlobStoreValidation.Metadata(key, source); // reports the missing name as InvalidArgument
                }

                pairs[name!] = value;
            }

            BlobStoreValidation.Metadata(key, pairs);
            metadata = pairs.Count == 0 ? null : BlobStoreValidation.NormalizeMetadata(pairs);
        }

        conditions?.Validate();
        BlobStoreValidation.ContentType(key, contentType);
        return new PutSnapshot(contentType, metadata, conditions);
    }
}
