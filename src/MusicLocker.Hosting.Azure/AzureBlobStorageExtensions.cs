using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MusicLocker.Storage;
using MusicLocker.Storage.Azure;

namespace MusicLocker.DependencyInjection;

/// <summary><c>UseAzureBlobStorage</c>: the locker's objects in an Azure Blob Storage container.</summary>
public static class AzureBlobStorageExtensions
{
    /// <summary>The configuration section the settings are read from by convention: <c>MusicLocker:Azure</c>.</summary>
    public const string SectionPath = "MusicLocker:Azure";

    /// <summary>
    /// Stores objects in Azure Blob Storage with <see cref="AzureBlobStoreOptions"/> bound from
    /// <paramref name="configuration"/> (e.g. <c>configuration.GetSection("MusicLocker:Azure")</c>: <c>ContainerName</c>
    /// and <c>ConnectionString</c>, or <c>ServiceUri</c> with <c>AccountKey</c> or <c>SasToken</c>), checked when the app
    /// starts by the store's own rules, each message naming the setting (<c>MusicLocker:Azure:ContainerName</c>). With
    /// <paramref name="createContainer"/> the container is created when the locker opens if it does not exist (needs
    /// account-level rights).
    /// </summary>
    public static MusicLockerBuilder UseAzureBlobStorage(this MusicLockerBuilder builder, IConfiguration configuration, bool createContainer = false, Action<AzureBlobStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return Use(builder, (configuration as IConfigurationSection)?.Path ?? SectionPath, configuration, configure, createContainer);
    }

    /// <summary>Stores objects in Azure Blob Storage with options set in code (messages name them under <c>MusicLocker:Azure</c>).</summary>
    public static MusicLockerBuilder UseAzureBlobStorage(this MusicLockerBuilder builder, Action<AzureBlobStoreOptions> configure, bool createContainer = false)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return Use(builder, SectionPath, null, configure, createContainer);
    }

    private static MusicLockerBuilder Use(MusicLockerBuilder builder, string name, IConfiguration? configuration, Action<AzureBlobStoreOptions>? configure, bool createContainer)
    {
        ArgumentNullException.ThrowIfNull(builder);

        // The check is the store's constructor: its rules, no copy of them (building a client sends nothing).
        builder.ConfigurePart<AzureBlobStoreOptions>(name, configuration, configure, static o => new AzureBlobStore(o).Dispose())
            .PostConfigure<IServiceProvider>(static (o, services) => o.LoggerFactory ??= services.GetService<ILoggerFactory>());
        return builder.UseStorage<AzureBlobStoreOptions>(name, async (options, _, cancellationToken) =>
        {
            var store = new AzureBlobStore(options);
            try
            {
                if (createContainer)
                {
                    await store.CreateContainerIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
                }

                return store;
            }
            catch
            {
                store.Dispose();
                throw;
            }
        });
    }
}
