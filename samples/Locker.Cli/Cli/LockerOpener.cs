using MusicLocker;
using MusicLocker.Crypto;
using MusicLocker.Metadata;
using MusicLocker.Metadata.Postgres;
using MusicLocker.Metadata.Sqlite;
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

        var options = new MusicLockerOptions { Encrypt = settings.Encrypt };
        var (storageKind, storageTarget) = Split(settings.Storage);
        var (metadataKind, metadataTarget) = Split(settings.Metadata);
        if (storageKind == "fs" && storageTarget is null && metadataKind == "sqlite" && metadataTarget is null)
        {
            return new OpenedLocker(await MusicLocker.Locker.OpenEmbeddedAsync(root, options, cancellationToken), settings, []);
        }

        var parts = new List<object>();
        try
        {
            IBlobStore store = OpenStorage(storageKind, storageTarget, root, settings);
            parts.Add(store);
            ILockerMetadataStore metadata = metadataKind switch
            {
                "sqlite" => await SqliteMetadataStore.OpenAsync(new SqliteMetadataStoreOptions { DatabasePath = SqlitePath(metadataTarget, root) }, cancellationToken),
                "postgres" => await PostgresMetadataStore.OpenAsync(new PostgresMetadataStoreOptions { ConnectionString = metadataTarget ?? throw new CliException(CliExit.Usage, "--metadata postgres: needs a connection string, e.g. 'postgres:Host=localhost;Database=locker;Username=locker'.") }, cancellationToken),
                _ => throw new CliException(CliExit.Usage, $"--metadata '{settings.Metadata}' is not sqlite, sqlite:PATH or postgres:CONNECTION-STRING."),
            };
            parts.Add(metadata);
            IMasterKeyProvider? keys = null;
            if (settings.Encrypt)
            {
                Directory.CreateDirectory(root);
                string ringPath = Path.Combine(root, MusicLocker.Locker.EmbeddedKeyRingFile);
                var ringOptions = new LocalKeyRingOptions { Path = ringPath };
                var ring = File.Exists(ringPath) ? await LocalKeyRing.OpenAsync(ringOptions, cancellationToken) : await LocalKeyRing.CreateAsync(ringOptions, cancellationToken);
                parts.Add(ring);
                keys = ring;
            }

            return new OpenedLocker(MusicLocker.Locker.Create(store, metadata, keys, options), settings, parts);
        }
        catch
        {
            await OpenedLocker.DisposeAllAsync(parts);
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
internal sealed class OpenedLocker(ILocker locker, CliSettings settings, List<object> parts) : IAsyncDisposable
{
    public ILocker Locker { get; } = locker;

    public IUserLocker User { get; } = locker.ForUser(settings.User);

    public async ValueTask DisposeAsync()
    {
        await Locker.DisposeAsync();
        await DisposeAllAsync(parts);
    }

    public static async Task DisposeAllAsync(List<object> parts)
    {
        for (int i = parts.Count - 1; i >= 0; i--)
        {
            switch (parts[i])
            {
                case IAsyncDisposable a:
                    await a.DisposeAsync();
                    break;
                case IDisposable d:
                    d.Dispose();
                    break;
            }
        }
    }
}
