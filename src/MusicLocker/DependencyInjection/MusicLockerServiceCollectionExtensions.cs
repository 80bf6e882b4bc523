using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MusicLocker.Crypto;
using MusicLocker;
using MusicLocker.DependencyInjection;
using MusicLocker.Internal;
using MusicLocker.Metadata;
using MusicLocker.Storage;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the locker: <c>services.AddMusicLocker(o => …).UseFileSystemStorage(…).UseSqlite(…).UseLocalKeyRing(…)</c>.</summary>
public static class MusicLockerServiceCollectionExtensions
{
    /// <summary>The configuration section <see cref="AddMusicLocker(IServiceCollection, IConfiguration)"/> is usually given.</summary>
    public const string SectionName = "MusicLocker";

    /// <summary>
    /// Registers <see cref="MusicLocker.ILocker"/> (a singleton, opened when first resolved, disposed with the container)
    /// with options configured in code, validated when the app starts. Safe to call more than once.
    /// </summary>
    public static MusicLockerBuilder AddMusicLocker(this IServiceCollection services, Action<MusicLocker.MusicLockerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = AddCore(services);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return new MusicLockerBuilder(services);
    }

    /// <summary>Registers the locker with options bound from <paramref name="configuration"/> (e.g. the <c>MusicLocker</c> section).</summary>
    public static MusicLockerBuilder AddMusicLocker(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        AddCore(services).Bind(configuration);
        return new MusicLockerBuilder(services);
    }

    private static OptionsBuilder<MusicLocker.MusicLockerOptions> AddCore(IServiceCollection services)
    {
        var options = services.AddOptions<MusicLocker.MusicLockerOptions>();
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MusicLocker.MusicLockerOptions>, MusicLockerOptionsValidator>());
        services.TryAddSingleton<MusicLocker.ILocker>(services => new DeferredLocker(cancellationToken => OpenLockerAsync(services, cancellationToken)));
        return options;
    }

    // Resolving ILocker opens nothing (DI resolution is synchronous, the parts' factories are not): DeferredLocker opens
    // them on first use, once, without blocking any thread.
    private static async Task<LockerService> OpenLockerAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var settings = LockerPartContext.EffectiveSettings(services);
        string folder = settings.Folder ?? string.Empty;
        var owned = new List<object>();
        try
        {
            var storage = await OpenPartAsync<IBlobStore>(services, owned, _ => Task.FromResult<IBlobStore>(MusicLocker.Locker.OpenFileSystemStorage(Path.Combine(folder, MusicLocker.Locker.EmbeddedBlobFolder), settings)), cancellationToken).ConfigureAwait(false);
            var metadata = await OpenPartAsync(services, owned, ct => MusicLocker.Locker.OpenSqliteAsync(Path.Combine(folder, MusicLocker.Locker.EmbeddedDatabaseFile), settings, ct), cancellationToken).ConfigureAwait(false);
            IMasterKeyProvider? keys = null;
            if (settings.Encrypt)
            {
                keys = await OpenPartAsync<IMasterKeyProvider>(services, owned, async ct => await MusicLocker.Locker.OpenKeyRingAsync(Path.Combine(folder, MusicLocker.Locker.EmbeddedKeyRingFile), settings, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            }

            return new LockerService(new LockerCore(storage, metadata, keys, settings), owned);
        }
        catch
        {
            await LockerService.DisposeAllAsync(owned).ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<T> OpenPartAsync<T>(IServiceProvider services, List<object> owned, Func<CancellationToken, Task<T>> embedded, CancellationToken cancellationToken)
        where T : class
    {
        var source = services.GetService<LockerPartSource<T>>();
        T part = source is not null
            ? await LockerErrors.Guard(async () => await source.OpenAsync(services, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false)
            : await embedded(cancellationToken).ConfigureAwait(false);
        owned.Add(part);
        return part;
    }
}
