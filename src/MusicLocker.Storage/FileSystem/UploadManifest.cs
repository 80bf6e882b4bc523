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
}
