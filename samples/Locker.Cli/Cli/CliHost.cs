using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
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

/// <summary>The options every locker command takes, and how a command opens the locker and reports its outcome.</summary>
internal static class CliHost
{
    public static readonly Option<string?> Config = new("--config") { Description = "A JSON configuration file (default: $LOCKER_CONFIG, or ./locker.json when present).", Recursive = true };
    public static readonly Option<string?> Root = new("--root") { Description = $"The local locker folder: key ring, SQLite catalog, objects (default: $LOCKER_ROOT, or ./{CliSettings.DefaultRoot}).", Recursive = true };
    public static readonly Option<string?> Storage = new("--storage") { Description = "Where objects go: fs (default), fs:PATH, s3://bucket/prefix, azure://container/prefix.", Recursive = true };
    public static readonly Option<string?> Metadata = new("--metadata") { Description = "The catalog: sqlite (default), sqlite:PATH, postgres:CONNECTION-STRING.", Recursive = true };
    public static readonly Option<string?> User = new("--user") { Description = "The user whose locker to use (default: $LOCKER_USER, or me).", Recursive = true };
    public static readonly Option<bool> Json = new("--json") { Description = "Print JSON (one document) instead of text.", Recursive = true };
    public static readonly Option<bool> Verbose = new("--verbose") { Description = "Print the full error (with its stack trace) when a command fails.", Recursive = true };

    public static void AddGlobalOptions(RootCommand root)
    {
        root.Add(Config);
        root.Add(Root);
        root.Add(Storage);
        root.Add(Metadata);
        root.Add(User);
        root.Add(Json);
        root.Add(Verbose);
    }

    public static CliSettings Settings(ParseResult parse) => CliSettings.Resolve(
        parse.GetValue(Config), parse.GetValue(Root), parse.GetValue(Storage), parse.GetValue(Metadata), parse.GetValue(User));

    /// <summary>Runs a command body, turning every failure into one line on stderr and an exit code.</summary>
    public static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken, Func<CliContext, Task<int>> body)
    {
        bool verbose = parse.GetValue(Verbose);
        try
        {
            var context = new CliContext(parse, parse.GetValue(Json));
            return await body(context);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("locker: interrupted.");
            return CliExit.Interrupted;
        }
        catch (Exception ex)
        {
            var (code, line) = Describe(ex);
            await Console.Error.WriteLineAsync("locker: " + line);
            if (verbose)
            {
                await Console.Error.WriteLineAsync(ex.ToString());
            }

            return code;
        }
    }

    /// <summary>One readable line (what happened, what to do) and the exit code for a failure.</summary>
    public static (int Code, string Line) Describe(Exception ex) => ex switch
    {
        CliException cli => (cli.ExitCode, cli.Message),
        LockerQuotaExceededException quota => (CliExit.QuotaExceeded, $"{quota.Message} Free space (`locker rm TRACK`) or move to a larger plan."),
        LockerException locker => (ExitCode(locker.ErrorCode), $"{locker.Message}{Hint(locker.ErrorCode)} [{locker.ErrorCode}]"),
        BlobStoreException blob => (CliExit.Failed, $"storage: {blob.Message} [{blob.ErrorCode}]"),
        UnauthorizedAccessException or IOException => (CliExit.Failed, ex.Message),
        _ => (CliExit.Failed, $"unexpected error: {ex.GetType().Name}: {ex.Message} (run with --verbose for details)"),
    };

    public static int ExitCode(LockerErrorCode code) => code switch
    {
        LockerErrorCode.TrackNotFound or LockerErrorCode.PlaylistNotFound or LockerErrorCode.UploadNotFound
            or LockerErrorCode.CoverArtNotFound or LockerErrorCode.FileNotFound => CliExit.NotFound,
        LockerErrorCode.QuotaExceeded => CliExit.QuotaExceeded,
        LockerErrorCode.InvalidArgument or LockerErrorCode.InvalidCursor => CliExit.Usage,
        _ => CliExit.Failed,
    };

    private static string Hint(LockerErrorCode code) => code switch
    {
        LockerErrorCode.UnsupportedFormat => " Only MP3 and AAC (ADTS, M4A/MP4) files can be stored.",
        LockerErrorCode.DrmProtected => " Files with DRM cannot be stored; use the DRM-free original.",
        LockerErrorCode.TrackNotFound => " List the tracks with `locker ls`.",
        LockerErrorCode.PlaylistNotFound => " List the playlists with `locker playlist ls`.",
        LockerErrorCode.KeyDestroyed => " This account was deleted.",
        LockerErrorCode.Unavailable => " The storage or database is unreachable; check the settings and try again.",
        _ => string.Empty,
    };

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

    /// <summary>A JSON object of a track (the shape every <c>--json</c> listing uses).</summary>
    public static JsonObject TrackJson(LockerTrack t) => new()
    {
        ["id"] = t.Id.ToString(),
        ["title"] = t.Tags.Title,
        ["artist"] = t.Tags.Artist,
        ["album"] = t.Tags.Album,
        ["albumArtist"] = t.Tags.AlbumArtist,
        ["genre"] = t.Tags.Genre,
        ["year"] = t.Tags.Year,
        ["trackNumber"] = t.Tags.TrackNumber,
        ["discNumber"] = t.Tags.DiscNumber,
        ["durationSeconds"] = Math.Round(t.Duration.TotalSeconds, 3),
        ["codec"] = t.Codec,
        ["bitrateKbps"] = t.BitrateKbps,
        ["sizeBytes"] = t.SizeBytes,
        ["chargedBytes"] = t.ChargedBytes,
        ["contentHash"] = t.ContentHash,
        ["audioHash"] = t.AudioHash,
        ["purchased"] = t.IsPurchased,
        ["addedAt"] = t.AddedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
    };

    public static string TrackLine(LockerTrack t) =>
        $"{t.Id}  {Duration(t.Duration),8}  {t.Tags.Artist ?? "?"} — {t.Tags.Title}{(t.Tags.Album is null ? string.Empty : $"  ({t.Tags.Album})")}";

    public static string Duration(TimeSpan d) => d.TotalHours >= 1 ? d.ToString(@"h\:mm\:ss", System.Globalization.CultureInfo.InvariantCulture) : d.ToString(@"m\:ss", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Decimal units, as quota plans are sold (5 GB = 5,000,000,000 bytes).</summary>
    public static string Size(long bytes) => bytes switch
    {
        >= 1_000_000_000 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e9:0.00} GB"),
        >= 1_000_000 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6:0.0} MB"),
        >= 1_000 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e3:0.0} kB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };
}

/// <summary>What a command body gets: the parse result, the settings, the output mode.</summary>
internal sealed class CliContext(ParseResult parse, bool json)
{
    private CliSettings? _settings;

    public ParseResult Parse { get; } = parse;

    public bool Json { get; } = json;

    public CliSettings Settings => _settings ??= CliHost.Settings(Parse);

    public Task<OpenedLocker> OpenAsync(bool create, CancellationToken cancellationToken) => CliHost.OpenAsync(Settings, create, cancellationToken);

    public static void Print(JsonNode node) => Console.WriteLine(node.ToJsonString(Options));

    private static readonly System.Text.Json.JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
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
