namespace MusicLocker.Keys.AwsKms;

/// <summary>
/// Options of an <see cref="AwsKmsMasterKeyProvider"/> (bindable from configuration). The provider copies and checks
/// them when it is created; later changes to this object have no effect on it.
/// </summary>
public sealed class AwsKmsMasterKeyProviderOptions
{
    /// <summary>The KMS key (id, ARN, alias name or alias ARN) new user keys are generated and rewrapped under.</summary>
    public string KeyId { get; set; } = string.Empty;
}
