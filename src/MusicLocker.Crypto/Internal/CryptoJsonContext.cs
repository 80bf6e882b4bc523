using System.Text.Json.Serialization;

namespace MusicLocker.Crypto.Internal;

/// <summary>
/// The one way crypto writes and reads JSON: System.Text.Json source generation over the documents below (user key
/// records, data-key records, the key ring file). Property names are the stored format (docs/encryption-format.md).
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(UserKeyRecordDocument))]
[JsonSerializable(typeof(DataKeyRecordDocument))]
[JsonSerializable(typeof(KeyRingDocument))]
internal sealed partial class CryptoJsonContext : JsonSerializerContext;

/// <summary>A user's key record as stored by <see cref="BlobUserKeyStore"/>: versions, or a tombstone.</summary>
internal sealed class UserKeyRecordDocument
{
    public int Format { get; set; } = 1;

    /// <summary>The owner's tenant id; written only in records named by a hash of the ids (see <see cref="BlobUserKeyStore"/>).</summary>
    public string? Tenant { get; set; }

    /// <summary>The owner's user id; written only in records named by a hash of the ids.</summary>
    public string? User { get; set; }

    public DateTimeOffset? DestroyedAt { get; set; }

    public int? Current { get; set; }

    public List<UserKeyVersionDocument>? Versions { get; set; }
}

/// <summary>One wrapped user key version in a <see cref="UserKeyRecordDocument"/>.</summary>
internal sealed class UserKeyVersionDocument
{
    public required int Version { get; set; }

    public required DateTimeOffset Created { get; set; }

    public required byte[] Wrapped { get; set; }

    public DateTimeOffset? Retired { get; set; }
}

/// <summary>A data key rewrapped by a user-key rotation, valid for one stored version (ETag) of its blob.</summary>
internal sealed class DataKeyRecordDocument
{
    [JsonPropertyName("etag")]
    public required string ETag { get; set; }

    public required int Version { get; set; }

    public required byte[] Wrapped { get; set; }
}

/// <summary>The key ring file of <see cref="LocalKeyRing"/>.</summary>
internal sealed class KeyRingDocument
{
    public required string Format { get; set; }

    public required int FormatVersion { get; set; }

    public required int Current { get; set; }

    public required List<KeyRingKeyDocument> Keys { get; set; }
}

/// <summary>One master key of a <see cref="KeyRingDocument"/>; its material goes through <see cref="SecretBytesConverter"/>.</summary>
internal sealed class KeyRingKeyDocument
{
    public required int Version { get; set; }

    public required DateTimeOffset Created { get; set; }

    [JsonConverter(typeof(SecretBytesConverter))]
    public required byte[] Key { get; set; }
}
