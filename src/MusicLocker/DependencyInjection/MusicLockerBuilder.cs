using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MusicLocker.Crypto;
using MusicLocker.Metadata;
using MusicLocker.Storage;

namespace MusicLocker.DependencyInjection;

/// <summary>
/// Configures the parts of the locker <c>services.AddMusicLocker()</c> registers. Each part (object store, metadata
/// store, master keys) has one slot; a <c>Use…</c> call fills it, the last call winning, and a slot left empty is taken
/// from <see cref="MusicLockerOptions.Folder"/> (the embedded default). A hosting package adds its own <c>Use…</c>
/// extension method on this builder by calling one of these methods (e.g. <c>UseS3Storage</c> in
/// MusicLocker.Hosting.S3 calls <see cref="UseStorage{TOptions}"/> with its bound <c>S3BlobStoreOptions</c>); nothing in
/// this package depends on a provider.
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
        return Fill(new LockerPartSource<IBlobStore>(open, validate: null));
    }

    /// <summary>Fills the metadata slot (catalog, quota ledger, sessions).</summary>
    public MusicLockerBuilder UseMetadata(Func<IServiceProvider, CancellationToken, ValueTask<ILockerMetadataStore>> open)
    {
        ArgumentNullException.ThrowIfNull(open);
        return Fill(new LockerPartSource<ILockerMetadataStore>(open, validate: null));
    }

    /// <summary>Fills the master-key slot (the root of the key hierarchy).</summary>
    public MusicLockerBuilder UseMasterKeys(Func<IServiceProvider, CancellationToken, ValueTask<IMasterKeyProvider>> open)
    {
        ArgumentNullException.ThrowIfNull(open);
        return Fill(new LockerPartSource<IMasterKeyProvider>(open, validate: null));
    }

    /// <summary>
    /// Fills the object-store slot with a store opened from the named options <paramref name="optionsName"/> of
    /// <typeparamref name="TOptions"/> (configured by the caller, e.g. bound from configuration). While this slot is the
    /// one in use, those options are resolved — so their <see cref="IValidateOptions{TOptions}"/> run — when the app
    /// starts, with the locker's own options; a slot a later <c>Use…</c> call replaced is not checked.
    /// </summary>
    public MusicLockerBuilder UseStorage<TOptions>(string optionsName, Func<TOptions, LockerPartContext, CancellationToken, ValueTask<IBlobStore>> open)
        where TOptions : class =>
        Fill(new LockerPartSource<IBlobStore>(FromOptions(optionsName, open), ValidateOptions<TOptions>(optionsName)));

    /// <summary>Fills the metadata slot from named options, checked at start like <see cref="UseStorage{TOptions}"/>.</summary>
    public MusicLockerBuilder UseMetadata<TOptions>(string optionsName, Func<TOptions, LockerPartContext, CancellationToken, ValueTask<ILockerMetadataStore>> open)
        where TOptions : class =>
        Fill(new LockerPartSource<ILockerMetadataStore>(FromOptions(optionsName, open), ValidateOptions<TOptions>(optionsName)));

    /// <summary>Fills the master-key slot from named options, checked at start like <see cref="UseStorage{TOptions}"/>.</summary>
    public MusicLockerBuilder UseMasterKeys<TOptions>(string optionsName, Func<TOptions, LockerPartContext, CancellationToken, ValueTask<IMasterKeyProvider>> open)
        where TOptions : class =>
        Fill(new LockerPartSource<IMasterKeyProvider>(FromOptions(optionsName, open), ValidateOptions<TOptions>(optionsName)));

    /// <summary>
    /// Registers the named options <paramref name="optionsName"/> of a part (for a hosting package): bound from
    /// <paramref name="configuration"/> when given, then <paramref name="configure"/>, and checked by
    /// <paramref name="check"/> — the provider's own rules, e.g. its store's constructor — whose
    /// <see cref="ArgumentException"/> (parameter <c>options.Setting</c>) becomes a failure naming
    /// <c>{optionsName}:Setting</c>. Name the options after their configuration section (<c>MusicLocker:S3</c>) so the
    /// messages name the setting as configuration spells it. Safe to call twice (the check is registered once per name).
    /// </summary>
    public OptionsBuilder<TOptions> ConfigurePart<TOptions>(string optionsName, IConfiguration? configuration, Action<TOptions>? configure, Action<TOptions> check)
        where TOptions : class
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(optionsName);
        ArgumentNullException.ThrowIfNull(check);
        var options = Services.AddOptions<TOptions>(optionsName);
        if (configuration is not null)
        {
            options.Bind(configuration);
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        if (!Services.Any(d => d.ImplementationInstance is PartOptionsValidator<TOptions> v && v.Name == optionsName))
        {
            Services.AddSingleton<IValidateOptions<TOptions>>(new PartOptionsValidator<TOptions>(optionsName, check));
        }

        return options;
    }

    private MusicLockerBuilder Fill<T>(LockerPartSource<T> source)
    {
        Services.Replace(ServiceDescriptor.Singleton(source));
        return this;
    }

    private static Func<IServiceProvider, CancellationToken, ValueTask<T>> FromOptions<TOptions, T>(string optionsName, Func<TOptions, LockerPartContext, CancellationToken, ValueTask<T>> open)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(optionsName);
        ArgumentNullException.ThrowIfNull(open);
        return (services, cancellationToken) => open(
            services.GetRequiredService<IOptionsMonitor<TOptions>>().Get(optionsName),
            new LockerPartContext(services, LockerPartContext.EffectiveSettings(services)),
            cancellationToken);
    }

    private static Action<IServiceProvider> ValidateOptions<TOptions>(string optionsName)
        where TOptions : class =>
        services => _ = services.GetRequiredService<IOptionsMonitor<TOptions>>().Get(optionsName);
}

/// <summary>How one part of the locker is opened (one registration per part; <c>Use…</c> replaces it).</summary>
internal sealed class LockerPartSource<T>(Func<IServiceProvider, CancellationToken, ValueTask<T>> open, Action<IServiceProvider>? validate)
{
    public ValueTask<T> OpenAsync(IServiceProvider services, CancellationToken cancellationToken) => open(services, cancellationToken);

    /// <summary>The failures of this part's options (resolving them runs their validators), or none.</summary>
    public IEnumerable<string> Validate(IServiceProvider services)
    {
        if (validate is null)
        {
            return [];
        }

        try
        {
            validate(services);
            return [];
        }
        catch (OptionsValidationException ex)
        {
            return ex.Failures;
        }
    }
}

/// <summary>Runs a provider's own option rules on one named options instance; each message names the setting.</summary>
internal sealed class PartOptionsValidator<TOptions>(string name, Action<TOptions> check) : IValidateOptions<TOptions>
    where TOptions : class
{
    private const string ParameterPrefix = "options.";

    public string Name => name;

    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        if (!string.Equals(name, Name, StringComparison.Ordinal))
        {
            return ValidateOptionsResult.Skip;
        }

        try
        {
            check(options);
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException ex)
        {
            string setting = ex.ParamName is { } p && p.StartsWith(ParameterPrefix, StringComparison.Ordinal) ? p[ParameterPrefix.Length..] : ex.ParamName ?? "?";
            string message = ex.ParamName is null ? ex.Message : ex.Message.Replace($" (Parameter '{ex.ParamName}')", string.Empty, StringComparison.Ordinal);
            return ValidateOptionsResult.Fail($"{Name}:{setting}: {message}");
        }
    }
}
