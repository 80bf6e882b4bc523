using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MusicLocker.Storage;
using MusicLocker.Storage.S3;

namespace MusicLocker.DependencyInjection;

/// <summary><c>UseS3Storage</c>: the locker's objects in an S3 bucket (AWS, MinIO, R2, any S3-compatible endpoint).</summary>
public static class S3StorageExtensions
{
    /// <summary>The configuration section the settings are read from by convention: <c>MusicLocker:S3</c>.</summary>
    public const string SectionPath = "MusicLocker:S3";

    /// <summary>
    /// Stores objects in S3 with <see cref="S3BlobStoreOptions"/> bound from <paramref name="configuration"/> (e.g.
    /// <c>configuration.GetSection("MusicLocker:S3")</c>: <c>BucketName</c>, <c>ServiceUri</c>, <c>Region</c>,
    /// <c>ForcePathStyle</c>, <c>AccessKeyId</c>, …), checked when the app starts by the store's own rules, each message
    /// naming the setting (<c>MusicLocker:S3:BucketName</c>). The bucket must exist.
    /// </summary>
    public static MusicLockerBuilder UseS3Storage(this MusicLockerBuilder builder, IConfiguration configuration, Action<S3BlobStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return Use(builder, (configuration as IConfigurationSection)?.Path ?? SectionPath, configuration, configure);
    }

    /// <summary>Stores objects in S3 with options set in code (messages name them under <c>MusicLocker:S3</c>).</summary>
    public static MusicLockerBuilder UseS3Storage(this MusicLockerBuilder builder, Action<S3BlobStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return Use(builder, SectionPath, null, configure);
    }

    private static MusicLockerBuilder Use(MusicLockerBuilder builder, string name, IConfiguration? configuration, Action<S3BlobStoreOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);

        // The check is the store's constructor: its rules, no copy of them (building a client sends nothing).
        builder.ConfigurePart<S3BlobStoreOptions>(name, configuration, configure, static o => new S3BlobStore(o).Dispose())
            .PostConfigure<IServiceProvider>(static (o, services) => o.LoggerFactory ??= services.GetService<ILoggerFactory>());
        return builder.UseStorage<S3BlobStoreOptions>(name, static (options, _, _) => ValueTask.FromResult<IBlobStore>(new S3BlobStore(options)));
    }
}
