using MusicLocker.Testing.Storage;

namespace MusicLocker.Testing.Servers;

/// <summary>
/// s3rver 3.7.1 (an S3 emulator on Node), pinned in tests/package-lock.json. Credentials are its fixed
/// <see cref="AccessKey"/>/<see cref="SecretKey"/>; buckets are created by the tests.
/// </summary>
public sealed class S3rverServer : EmulatorServer
{
    /// <summary>
    /// What s3rver 3.7.1 lacks of S3, declared once for every suite run against it: conditional writes (it ignores
    /// If-None-Match and If-Match on writes, copies, completion and deletes), ListParts and AbortMultipartUpload (501),
    /// and part checks at completion (it joins the latest upload of each part whatever ETag is named, and its process
    /// exits on a part never uploaded). If-Match on reads is not a gap: the provider checks the response's ETag itself.
    /// </summary>
    public const BlobStoreGaps DeclaredGaps = BlobStoreGaps.ConditionalWrites | BlobStoreGaps.ListParts | BlobStoreGaps.AbortMultipart | BlobStoreGaps.CompletionPartValidation;

    /// <summary>The emulator's name in skip messages.</summary>
    public const string EmulatorName = "s3rver 3.7.1";

    private static readonly Lazy<Task<S3rverServer>> SharedServer = Shared(() => new S3rverServer(null, null, null, null));

    private readonly string? _tlsKeyPath;
    private readonly string? _tlsCertificatePath;

    /// <summary>Prepares a server (not started) on a data directory and port of its own, or the given ones.</summary>
    public S3rverServer(string? dataDirectory = null, int? port = null, string? tlsKeyPath = null, string? tlsCertificatePath = null)
        : base(dataDirectory, port)
    {
        _tlsKeyPath = tlsKeyPath;
        _tlsCertificatePath = tlsCertificatePath;
    }

    /// <summary>s3rver's fixed access key id.</summary>
    public const string AccessKey = "S3RVER";

    /// <summary>s3rver's fixed secret key.</summary>
    public const string SecretKey = "S3RVER";

    /// <summary>The endpoint URL (path-style addressing).</summary>
    public Uri ServiceUrl => new($"{(_tlsKeyPath is null ? "http" : "https")}://127.0.0.1:{Port}");

    /// <inheritdoc />
    public override string Name => EmulatorName;

    /// <inheritdoc />
    public override BlobStoreGaps Gaps => DeclaredGaps;

    /// <summary>The one server of this test process, started on first use (skips the test when node is missing).</summary>
    public static Task<S3rverServer> GetSharedAsync()
    {
        TestEnvironment.RequireServer(NodeModules.HasNode, "node and npm are needed to run s3rver");
        return GetRunningAsync(SharedServer);
    }

    /// <summary>Starts a private server (for tests that kill it).</summary>
    public static async Task<S3rverServer> StartAsync(string? dataDirectory = null, int? port = null, CancellationToken cancellationToken = default)
    {
        var server = new S3rverServer(dataDirectory, port);
        await server.RestartAsync(cancellationToken).ConfigureAwait(false);
        return server;
    }

    /// <inheritdoc />
    protected override string BinaryName => "s3rver";

    /// <inheritdoc />
    protected override IEnumerable<string> Arguments()
    {
        yield return "--directory";
        yield return DataDirectory;
        yield return "--address";
        yield return "127.0.0.1";
        yield return "--port";
        yield return Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        yield return "--silent";
        yield return "--no-vhost-buckets";
        if (_tlsKeyPath is not null && _tlsCertificatePath is not null)
        {
            yield return "--key";
            yield return _tlsKeyPath;
            yield return "--cert";
            yield return _tlsCertificatePath;
        }
    }

    /// <summary>On Node 17+ s3rver's continuation tokens use a cipher OpenSSL 3 only offers with the legacy provider (else paged listings answer 500).</summary>
    protected override IReadOnlyDictionary<string, string>? Environment() =>
        new Dictionary<string, string> { ["NODE_OPTIONS"] = "--openssl-legacy-provider" };
}
