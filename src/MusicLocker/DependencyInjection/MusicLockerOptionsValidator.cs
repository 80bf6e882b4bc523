using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MusicLocker.Crypto;
using MusicLocker.Metadata;
using MusicLocker.Storage;

namespace MusicLocker.DependencyInjection;

/// <summary>Checks the bound options when the app starts; each message names the setting as configuration spells it.</summary>
internal sealed class MusicLockerOptionsValidator(IServiceProvider services) : IValidateOptions<MusicLockerOptions>
{
    public ValidateOptionsResult Validate(string? name, MusicLockerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.FindError(MusicLockerServiceCollectionExtensions.SectionName) is { } error)
        {
            failures.Add(error);
        }

        // The options of the parts in use (an S3 bucket, a connection string) are checked now too, so a bad setting
        // stops the app at start rather than at its first upload; a part a later Use… call replaced is not checked.
        failures.AddRange(PartFailures<IBlobStore>());
        failures.AddRange(PartFailures<ILockerMetadataStore>());
        if (options.Encrypt)
        {
            failures.AddRange(PartFailures<IMasterKeyProvider>());
        }

        if (string.IsNullOrWhiteSpace(options.Folder))
        {
            var missing = new List<string>();
            if (services.GetService<LockerPartSource<IBlobStore>>() is null)
            {
                missing.Add("storage (UseFileSystemStorage, UseS3Storage, …)");
            }

            if (services.GetService<LockerPartSource<ILockerMetadataStore>>() is null)
            {
                missing.Add("metadata (UseSqlite, UsePostgres, …)");
            }

            if (options.Encrypt && services.GetService<LockerPartSource<IMasterKeyProvider>>() is null)
            {
                missing.Add("master keys (UseLocalKeyRing, UseAwsKms, …)");
            }

            if (missing.Count > 0)
            {
                failures.Add($"{MusicLockerServiceCollectionExtensions.SectionName}:Folder must name the embedded default's folder, or configure {string.Join(", ", missing)}.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private IEnumerable<string> PartFailures<T>() => services.GetService<LockerPartSource<T>>()?.Validate(services) ?? [];
}
