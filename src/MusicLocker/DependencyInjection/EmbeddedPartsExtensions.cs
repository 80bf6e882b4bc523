using MusicLocker.Crypto;
using MusicLocker.Metadata;
using MusicLocker.Storage;
using MusicLocker.Storage.InMemory;

namespace MusicLocker.DependencyInjection;

/// <summary>The embedded parts: file-system or in-memory storage, SQLite metadata, a local key ring.</summary>
public static class EmbeddedPartsExtensions
{
    /// <summary>Objects in a local folder (<c>FileSystemBlobStore</c>).</summary>
    public static MusicLockerBuilder UseFileSystemStorage(this MusicLockerBuilder builder, string rootPath)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(rootPath);
        return builder.UseStorage((services, _) => ValueTask.FromResult<IBlobStore>(Locker.OpenFileSystemStorage(rootPath, Settings(services))));
    }

    /// <summary>Objects in process memory (tests, throwaway lockers).</summary>
    public static MusicLockerBuilder UseInMemoryStorage(this MusicLockerBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.UseStorage((_, _) => ValueTask.FromResult<IBlobStore>(new InMemoryBlobStore()));
    }

    /// <summary>Catalog, quota ledger and sessions in a SQLite file (created and migrated when opened).</summary>
    public static MusicLockerBuilder UseSqlite(this MusicLockerBuilder builder, string databasePath)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        return builder.UseMetadata(async (services, ct) => await Locker.OpenSqliteAsync(databasePath, Settings(services), ct).ConfigureAwait(false));
    }

    /// <summary>The master key in a local key ring file (created when missing, mode 0600).</summary>
    public static MusicLockerBuilder UseLocalKeyRing(this MusicLockerBuilder builder, string path)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return builder.UseMasterKeys(async (services, ct) => await Locker.OpenKeyRingAsync(path, Settings(services), ct).ConfigureAwait(false));
    }

    // The locker's settings as the locker itself uses them (the container's clock included), so every part and the
    // locker agree on time.
    private static MusicLockerOptions Settings(IServiceProvider services) => LockerPartContext.EffectiveSettings(services);
}
