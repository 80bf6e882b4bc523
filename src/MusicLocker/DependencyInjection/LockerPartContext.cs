using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MusicLocker.DependencyInjection;

/// <summary>What a hosting package's part factory is given besides its own options: the container and the locker's settings.</summary>
public sealed class LockerPartContext
{
    internal LockerPartContext(IServiceProvider services, MusicLockerOptions settings)
    {
        Services = services;
        Settings = settings;
        TimeProvider = settings.TimeProvider ?? TimeProvider.System;
    }

    /// <summary>The container (for an app-registered client, a logger factory, …).</summary>
    public IServiceProvider Services { get; }

    /// <summary>A copy of the locker's options as the locker will use them (<see cref="MusicLockerOptions.TimeProvider"/> filled in).</summary>
    public MusicLockerOptions Settings { get; }

    /// <summary>
    /// The locker's clock: <see cref="MusicLockerOptions.TimeProvider"/>, else a <see cref="System.TimeProvider"/> registered
    /// in the container, else the system clock. Parts given it keep reservation expiry and session ages on one clock.
    /// </summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>The locker's options as bound, copied, with the clock taken from the container when they name none.</summary>
    internal static MusicLockerOptions EffectiveSettings(IServiceProvider services)
    {
        var settings = services.GetRequiredService<IOptions<MusicLockerOptions>>().Value.Copy();
        settings.TimeProvider ??= services.GetService<TimeProvider>();
        settings.LoggerFactory ??= services.GetService<Microsoft.Extensions.Logging.ILoggerFactory>();
        settings.RetentionNotifier ??= services.GetService<IRetentionNotifier>();
        return settings;
    }
}
