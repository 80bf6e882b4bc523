using Microsoft.Extensions.DependencyInjection;
using MusicLocker.DependencyInjection;
using MusicLocker;
using MusicLocker.Storage;
using MusicLocker.Storage.Azure;
using MusicLocker.Storage.FileSystem;
using MusicLocker.Storage.S3;

namespace Locker.Cli.Cli;

/// <summary>
/// Opens the locker the settings describe (shared by the CLI and the web sample, so both work on the same data): the
/// embedded default, or any mix of file system / S3 / Azure storage and SQLite / PostgreSQL catalogs with the local key ring.
/// </summary>
internal static class LockerOpener
{
    /// <summary>
    /// Opens the configured locker. A read command (<paramref name="create"/> false) never creates anything: when the local
    /// folder, catalog or key ring does not exist it fails with <see cref="CliExit.NotFound"/>.
    /// </summary>
    public static async Task<OpenedLocker> OpenAsync(CliSettings settings, bool create, CancellationToken cancellationToken)
    {
        string root = Path.GetFullPath(settings.Root);
        if (!create)
        {
            RequireExisting(settings, root);
        }

        // The SDK's own composition does the opening: every part left unset is the embedded default in the folder (SQLite
        // catalog, local key ring created on first use, file-system objects), and the locker owns and closes the parts.
        var (storageKind, storageTarget) = Split(settings.Storage);
        var (metadataKind, metadataTarget) = Split(settings.Metadata);
        var services = new ServiceCollection();
        var builder = services.AddMusicLocker(o =>
        {
            o.Folder = root;
            o.Encrypt = settings.Encrypt;
        });
        if (storageKind != "fs" || storageTarget is not null)
        {
            var store = OpenStorage(storageKind, storageTarget, root, settings);
            builder.UseStorage((_, _) => ValueTask.FromResult(store));
        }

        switch (metadataKind)
        {
            case "sqlite" when metadataTarget is not null:
                builder.UseSqlite(Path.GetFullPath(metadataTarget));
                break;
            case "sqlite":
                break;
            case "postgres":
                builder.UsePostgres(metadataTarget ?? throw new CliException(CliExit.Usage, "--metadata postgres: needs a connection string, e.g. 'postgres:Host=localhost;Database=locker;Username=locker'."));
                break;
            default:
                throw new CliException(CliExit.Usage, $"--metadata '{settings.Metadata}' is not sqlite, sqlite:PATH or postgres:CONNECTION-STRING.");
        }

        var provider = services.BuildServiceProvider();
        var opened = new OpenedLocker(provider, settings);
        try
        {
            await opened.User.Account.GetAsync(cancellationToken); // open now, so a bad setting fails here, not mid-command
            return opened;
        }
        catch
        {
            await opened.DisposeAsync();
            throw;
        }
    }

    /// <summary>Opens only the object store the settings name (for <c>migrate</c>).</summary>
    public static IBlobStore OpenStorage(CliSettings settings)
    {
        var (kind, target) = Split(settings.Storage);
        return OpenStorage(kind, target, Path.GetFullPath(settings.Root), settings);
    }

    private static IBlobStore OpenStorage(string kind, string? target, string root, CliSettings settings)
    {
        switch (kind)
        {
            case "fs":
                string path = target is null ? Path.Combine(root, MusicLocker.Locker.EmbeddedBlobFolder) : Path.GetFullPath(target);
                return new FileSystemBlobStore(new FileSystemBlobStoreOptions { RootPath = path });
            case "s3":
            {
                var (bucket, prefix) = BucketAndPrefix(target, "s3://bucket/prefix");
                var s3 = new S3BlobStore(new S3BlobStoreOptions
                {
                    BucketName = bucket,
                    ServiceUri = settings.S3ServiceUrl is null ? null : new Uri(settings.S3ServiceUrl),
                    Region = settings.S3Region,
                    ForcePathStyle = settings.S3ForcePathStyle,
                    AccessKeyId = settings.S3AccessKeyId,
                    SecretAccessKey = settings.S3SecretAccessKey,
                });
                return prefix is null ? s3 : new PrefixedBlobStore(s3, prefix);
            }

            case "azure":
            {
                var (container, prefix) = BucketAndPrefix(target, "azure://container/prefix");
                var azure = new AzureBlobStore(new AzureBlobStoreOptions
                {
                    ContainerName = container,
                    ConnectionString = settings.AzureConnectionString
                        ?? throw new CliException(CliExit.Usage, "azure:// storage needs a connection string: $LOCKER_AZURE_CONNECTION_STRING or azure.connectionString in the configuration file."),
                });
                return prefix is null ? azure : new PrefixedBlobStore(azure, prefix);
            }

            default:
                throw new CliException(CliExit.Usage, $"--storage '{settings.Storage}' is not fs, fs:PATH, s3://bucket/prefix or azure://container/prefix.");
        }
    }

    private static void RequireExisting(CliSettings settings, string root)
    {
        const string Hint = " (nothing uploaded yet? `locker upload DIR` creates it; or point --root/--config at an existing locker)";
        if (!Directory.Exists(root))
        {
            throw new CliException(CliExit.NotFound, $"there is no locker at '{root}'{Hint}.");
        }

        var (metadataKind, metadataTarget) = Split(settings.Metadata);
        if (metadataKind == "sqlite" && !File.Exists(SqlitePath(metadataTarget, root)))
        {
            throw new CliException(CliExit.NotFound, $"there is no locker catalog at '{SqlitePath(metadataTarget, root)}'{Hint}.");
        }

        if (settings.Encrypt && !File.Exists(Path.Combine(root, MusicLocker.Locker.EmbeddedKeyRingFile)))
        {
            throw new CliException(CliExit.NotFound, $"there is no key ring at '{Path.Combine(root, MusicLocker.Locker.EmbeddedKeyRingFile)}'{Hint}.");
        }
    }

    private static string SqlitePath(string? target, string root) =>
        target is null ? Path.Combine(root, MusicLocker.Locker.EmbeddedDatabaseFile) : Path.GetFullPath(target);

    /// <summary><c>s3://b/p</c> → (s3, b/p); <c>fs:PATH</c> → (fs, PATH); <c>fs</c> → (fs, null).</summary>
    private static (string Kind, string? Target) Split(string spec)
    {
        int scheme = spec.IndexOf("://", StringComparison.Ordinal);
        if (scheme > 0)
        {
            return (spec[..scheme].ToLowerInvariant(), spec[(scheme + 3)..]);
        }

        int colon = spec.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 ? (spec[..colon].ToLowerInvariant(), spec[(colon + 1)..]) : (spec.ToLowerInvariant(), null);
    }

    private static (string Name, string? Prefix) BucketAndPrefix(string? target, string shape)
    {
        string text = (target ?? string.Empty).Trim('/');
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        string name = slash < 0 ? text : text[..slash];
        string? prefix = slash < 0 ? null : text[(slash + 1)..].TrimEnd('/');
        if (name.Length == 0)
        {
            throw new CliException(CliExit.Usage, $"the storage address needs a name: {shape}.");
        }

        return (name, string.IsNullOrEmpty(prefix) ? null : prefix + "/");
    }
}

/// <summary>An open locker, the configured user's view of it, and the parts to close with it.</summary>
internal sealed class OpenedLocker(ServiceProvider services, CliSettings settings) : IAsyncDisposable
{
    public ILocker Locker { get; } = services.GetRequiredService<ILocker>();

    public IUserLocker User { get; } = services.GetRequiredService<ILocker>().ForUser(settings.User);

    public ValueTask DisposeAsync() => services.DisposeAsync();
}
