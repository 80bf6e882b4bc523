using System.Text.Json.Serialization;

namespace MusicLocker.Storage.FileSystem;

/// <summary>The manifest of a multipart upload on disk.</summary>
internal sealed class UploadManifest
{
    [JsonPropertyName("key")]
    public required string Key { get; init; }

    [JsonPropertyName("created")]
    public DateTimeOffset Created { get; init; }

    [JsonPropertyName("contentType")]
    public string? ContentType { get; init; }

    [JsonPropertyName("metadata")]
    public Dictionary<string, string>? Metadata { get; init; }

    [JsonPropertyName("ifMatch")]
    public string? IfMatch { get; init; }

    [JsonPropertyName("ifNoneMatchAny")]
    public bool IfNoneMatchAny { get; init; }

    /// <summary>
    /// Where the first part starts in the upload's data file: the room reserved for the blob's header. Zero in uploads
    /// started before the data file (their parts were files of their own); those are not resumed.
    /// </summary>
    [JsonPropertyName("dataOffset")]
    public int DataOffset { get; init; }
}

/// <summary>
/// Where a stored part's bytes are: a region of the upload's data file, or (a part whose length was not known when it
/// was sent) a spill file of its own in the upload's folder. Stored as JSON in the part number's slot of the upload's
/// <c>entries</c> file.
/// </summary>
internal sealed class PartEntry
{
    [JsonPropertyName("etag")]
    public required string ETag { get; init; }

    /// <summary>The spill file's name, or <see langword="null"/> for the data file.</summary>
    [JsonPropertyName("file")]
    public string? File { get; init; }

    [JsonPropertyName("offset")]
    public long Offset { get; init; }

    [JsonPropertyName("length")]
    public long Length { get; init; }
}
