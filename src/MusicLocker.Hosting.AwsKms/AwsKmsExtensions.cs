using Amazon.KeyManagementService;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MusicLocker.Crypto;
using MusicLocker.Keys.AwsKms;

namespace MusicLocker.DependencyInjection;

/// <summary><c>UseAwsKms</c>: the master key (the root of the key hierarchy) in AWS KMS.</summary>
public static class AwsKmsExtensions
{
    /// <summary>The configuration section the settings are read from by convention: <c>MusicLocker:AwsKms</c>.</summary>
    public const string SectionPath = "MusicLocker:AwsKms";

    /// <summary>
    /// Wraps user keys under a KMS key with <see cref="AwsKmsMasterKeyProviderOptions"/> bound from
    /// <paramref name="configuration"/> (e.g. <c>configuration.GetSection("MusicLocker:AwsKms")</c>: <c>KeyId</c>),
    /// checked when the app starts (<c>MusicLocker:AwsKms:KeyId</c>). The KMS client is the container's
    /// <see cref="IAmazonKeyManagementService"/> when the app registers one (its region, endpoint and credentials apply);
    /// otherwise one is made from the AWS SDK's standard configuration (<c>AWS_REGION</c>, profile, instance role) and
    /// disposed with the container.
    /// </summary>
    public static MusicLockerBuilder UseAwsKms(this MusicLockerBuilder builder, IConfiguration configuration, Action<AwsKmsMasterKeyProviderOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return Use(builder, (configuration as IConfigurationSection)?.Path ?? SectionPath, configuration, configure);
    }

    /// <summary>Wraps user keys under the KMS key <paramref name="keyId"/> (id, ARN, alias name or alias ARN).</summary>
    public static MusicLockerBuilder UseAwsKms(this MusicLockerBuilder builder, string keyId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(keyId);
        return Use(builder, SectionPath, null, o => o.KeyId = keyId);
    }

    private static MusicLockerBuilder Use(MusicLockerBuilder builder, string name, IConfiguration? configuration, Action<AwsKmsMasterKeyProviderOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<IAmazonKeyManagementService>(_ => new AmazonKeyManagementServiceClient());

        builder.ConfigurePart<AwsKmsMasterKeyProviderOptions>(name, configuration, configure, Check);
        return builder.UseMasterKeys<AwsKmsMasterKeyProviderOptions>(name, static (options, context, _) =>
            ValueTask.FromResult<IMasterKeyProvider>(new AwsKmsMasterKeyProvider(context.Services.GetRequiredService<IAmazonKeyManagementService>(), options)));
    }

    // The provider's rule (its constructor needs a client, and none is built before the locker opens).
    private static void Check(AwsKmsMasterKeyProviderOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.KeyId))
        {
            throw new ArgumentException("must name a KMS key (id, ARN, alias name or alias ARN).", "options.KeyId");
        }
    }
}
