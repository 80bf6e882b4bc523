using System.Text.Json;
using System.Text.Json.Nodes;

namespace Locker.Cli.Cli;

/// <summary>
/// Where the locker lives, resolved from (lowest to highest precedence) the defaults, the configuration file
/// (<c>--config</c>, <c>$LOCKER_CONFIG</c>, or <c>./locker.json</c> when present), the environment (<c>LOCKER_*</c>) and
/// the command line. See the sample's README for every setting.
/// </summary>
internal sealed record CliSettings
{
    public const string DefaultRoot = "locker-data";

    /// <summary>The local folder: key ring, SQLite catalog and (for <c>fs</c>) the objects.</summary>
    public string Root { get; init; } = DefaultRoot;

    /// <summary><c>fs</c>, <c>fs:PATH</c>, <c>s3://bucket/prefix</c> or <c>azure://container/prefix</c>.</summary>
    public string Storage { get; init; } = "fs";

    /// <summary><c>sqlite</c>, <c>sqlite:PATH</c> or <c>postgres:CONNECTION-STRING</c>.</summary>
    public string Metadata { get; init; } = "sqlite";

    /// <summary>The user whose locker the commands act on.</summary>
    public string User { get; init; } = "me";

    /// <summary>Encrypt objects under the user's key (default on).</summary>
    public bool Encrypt { get; init; } = true;

    public string? S3ServiceUrl { get; init; }

    public string? S3Region { get; init; }

    public string? S3AccessKeyId { get; init; }

    public string? S3SecretAccessKey { get; init; }

    public bool S3ForcePathStyle { get; init; }

    public string? AzureConnectionString { get; init; }

    /// <summary>The configuration file read, if any.</summary>
    public string? ConfigFile { get; init; }

    /// <summary>Resolves the settings; a missing explicitly named configuration file or a malformed one is a <see cref="CliException"/>.</summary>
    public static CliSettings Resolve(string? configPath, string? root, string? storage, string? metadata, string? user, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var settings = new CliSettings();
        string? file = configPath ?? NonEmpty(environment("LOCKER_CONFIG"));
        bool named = file is not null;
        file ??= File.Exists("locker.json") ? "locker.json" : null;
        if (file is not null)
        {
            if (!File.Exists(file))
            {
                throw new CliException(CliExit.Usage, $"the configuration file '{file}' does not exist{(named ? string.Empty : string.Empty)}.");
            }

            settings = FromFile(settings, file);
        }

        settings = settings with
        {
            Root = NonEmpty(environment("LOCKER_ROOT")) ?? settings.Root,
            Storage = NonEmpty(environment("LOCKER_STORAGE")) ?? settings.Storage,
            Metadata = NonEmpty(environment("LOCKER_METADATA")) ?? settings.Metadata,
            User = NonEmpty(environment("LOCKER_USER")) ?? settings.User,
            S3ServiceUrl = NonEmpty(environment("LOCKER_S3_SERVICE_URL")) ?? settings.S3ServiceUrl,
            S3Region = NonEmpty(environment("LOCKER_S3_REGION")) ?? NonEmpty(environment("AWS_REGION")) ?? settings.S3Region,
            S3AccessKeyId = NonEmpty(environment("AWS_ACCESS_KEY_ID")) ?? settings.S3AccessKeyId,
            S3SecretAccessKey = NonEmpty(environment("AWS_SECRET_ACCESS_KEY")) ?? settings.S3SecretAccessKey,
            S3ForcePathStyle = Flag(environment("LOCKER_S3_FORCE_PATH_STYLE"), "LOCKER_S3_FORCE_PATH_STYLE") ?? settings.S3ForcePathStyle,
            AzureConnectionString = NonEmpty(environment("LOCKER_AZURE_CONNECTION_STRING")) ?? settings.AzureConnectionString,
        };
        return settings with
        {
            Root = NonEmpty(root) ?? settings.Root,
            Storage = NonEmpty(storage) ?? settings.Storage,
            Metadata = NonEmpty(metadata) ?? settings.Metadata,
            User = NonEmpty(user) ?? settings.User,
        };
    }

    private static CliSettings FromFile(CliSettings settings, string file)
    {
        JsonObject json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(file), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) as JsonObject
                ?? throw new CliException(CliExit.Usage, $"the configuration file '{file}' is not a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new CliException(CliExit.Usage, $"the configuration file '{file}' is not valid JSON: {ex.Message}");
        }

        string? Text(JsonObject? o, string name)
        {
            if (o?[name] is not { } node)
            {
                return null;
            }

            return node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>()
                : throw new CliException(CliExit.Usage, $"'{name}' in '{file}' must be a string.");
        }

        bool? Bool(JsonObject? o, string name) => o?[name] is not { } node ? null
            : node.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? node.GetValue<bool>()
            : throw new CliException(CliExit.Usage, $"'{name}' in '{file}' must be true or false.");

        var s3 = json["s3"] as JsonObject;
        var azure = json["azure"] as JsonObject;
        string folder = Path.GetDirectoryName(Path.GetFullPath(file))!;
        string? root = Text(json, "root");
        return settings with
        {
            // A relative root in the file is relative to the file, so the file works from any directory.
            Root = root is null ? settings.Root : Path.GetFullPath(root, folder),
            Storage = Text(json, "storage") ?? settings.Storage,
            Metadata = Text(json, "metadata") ?? settings.Metadata,
            User = Text(json, "user") ?? settings.User,
            Encrypt = Bool(json, "encrypt") ?? settings.Encrypt,
            S3ServiceUrl = Text(s3, "serviceUrl"),
            S3Region = Text(s3, "region"),
            S3AccessKeyId = Text(s3, "accessKeyId"),
            S3SecretAccessKey = Text(s3, "secretAccessKey"),
            S3ForcePathStyle = Bool(s3, "forcePathStyle") ?? false,
            AzureConnectionString = Text(azure, "connectionString"),
            ConfigFile = Path.GetFullPath(file),
        };
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static bool? Flag(string? value, string name) => NonEmpty(value) switch
    {
        null => null,
        "1" or "true" or "TRUE" or "True" => true,
        "0" or "false" or "FALSE" or "False" => false,
        var other => throw new CliException(CliExit.Usage, $"{name}='{other}' is not true or false."),
    };
}
