using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MusicLocker.Crypto;
using MusicLocker.Metadata;
using MusicLocker.Storage;

namespace MusicLocker.DependencyInjection;

/// <summary>
/// Configures the parts of the locker <c>services.AddMusicLocker()</c> registers. Each part (object store, metadata
/// store, master keys) has one slot; a <c>Use…</c> call fills it, the last call winning, and a slot left empty is taken
/// from <see cref="MusicLockerOptions.Folder"/> (the embedded default). A provider package adds its own <c>Use…</c>
/// extension method on this builder by calling <see cref="UseStorage"/>, <see cref="UseMetadata"/> or
/// <see cref="UseMasterKeys"/> (e.g. <c>UseS3Storage</c> in MusicLocker.Storage.S3: open the S3 store from its own bound
/// options); nothing in this package depends on a provider.
/// </summary>
public sealed class MusicLockerBuilder
{
    internal MusicLockerBuilder(IServiceCollection services) => Services = services;

    /// <summary>The services being configured.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Fills the object-store slot. The locker disposes what <paramref name="open"/> returns when it is disposed.</summary>
    public MusicLockerBuilder UseStorage(Func<IServiceProvider, CancellationToken, ValueTask<IBlobStore>> open)
    {
        ArgumentNullException.ThrowIfNull(open);
        Services.Replace(ServiceDescriptor.Singleton(new LockerPartSource<IBlobStore>(open)));
        return this;
    }

    /// <summary>Fills the metadata slot (catalog, quota ledger, sessions).</summary>
    public MusicLockerBuilder UseMetadata(Func<IServiceProvider, CancellationToken, ValueTask<ILockerMetadataStore>> open)
    {
        ArgumentNullException.ThrowIfNull(open);
        Services.Replace(ServiceDescriptor.Singleton(new LockerPartSource<ILockerMetadataStore>(open)));
        return this;
    }

    /// <summary>Fills the master-key slot (the root of the key hierarchy).</summary>
    public MusicLockerBuilder UseMasterKeys(Func<IServiceProvider, CancellationToken, ValueTask<IMasterKeyProvider>> open)
    {
        ArgumentNullException.ThrowIfNull(open);
        Services.Replace(ServiceDescriptor.Singleton(new LockerPartSource<IMasterKeyProvider>(open)));
        return this;
    }
}

/// <summary>How one part of the locker is opened (one registration per part; <c>Use…</c> replaces it).</summary>
internal sealed class LockerPartSource<T>(Func<IServiceProvider, CancellationToken, ValueTask<T>> open)
{
    public ValueTask<T> OpenAsync(IServiceProvider services, CancellationToken cancellationToken) => open(services, cancellationToken);
}
