namespace MusicLocker.Testing.Servers;

/// <summary>
/// Azurite 3.37.0 (Microsoft's Azure Storage emulator), blob service only, pinned in tests/package-lock.json. It serves
/// the well-known development account <see cref="AccountName"/> with path-style URLs (<c>http://127.0.0.1:port/devstoreaccount1</c>).
/// </summary>
public sealed class AzuriteServer : EmulatorServer
{
    /// <summary>The development account name.</summary>
    public const string AccountName = "devstoreaccount1";

    /// <summary>The development account's well-known key (public, documented by Microsoft).</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly Lazy<Task<AzuriteServer>> SharedServer = Shared(() => new AzuriteServer(null, null));

    private static readonly Dictionary<string, string> GapList = new(StringComparer.Ordinal);

    /// <summary>Prepares a server (not started) on a data directory and port of its own, or the given ones.</summary>
    public AzuriteServer(string? dataDirectory = null, int? port = null)
        : base(dataDirectory, port)
    {
    }

    /// <summary>The blob service endpoint of the development account.</summary>
    public Uri BlobEndpoint => new($"http://127.0.0.1:{Port}/{AccountName}");

    /// <summary>A connection string for the development account on this server.</summary>
    public string ConnectionString => $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};BlobEndpoint={BlobEndpoint};";

    /// <inheritdoc />
    public override string Name => "Azurite 3.37.0";

    /// <summary>None: Azurite's only gap the provider meets (suffix ranges answer 500) is closed in the provider by resolving them to absolute ranges.</summary>
    public override IReadOnlyDictionary<string, string> Gaps => GapList;

    /// <summary>The one server of this test process, started on first use (skips the test when node is missing).</summary>
    public static Task<AzuriteServer> GetSharedAsync()
    {
        TestEnvironment.RequireServer(NodeModules.HasNode, "node and npm are needed to run Azurite");
        return GetRunningAsync(SharedServer);
    }

    /// <summary>Starts a private server (for tests that kill it).</summary>
    public static async Task<AzuriteServer> StartAsync(string? dataDirectory = null, int? port = null, CancellationToken cancellationToken = default)
    {
        var server = new AzuriteServer(dataDirectory, port);
        await server.RestartAsync(cancellationToken).ConfigureAwait(false);
        return server;
    }

    /// <inheritdoc />
    protected override string BinaryName => "azurite-blob";

    /// <inheritdoc />
    protected override IEnumerable<string> Arguments()
    {
        yield return "--blobHost";
        yield return "127.0.0.1";
        yield return "--blobPort";
        yield return Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        yield return "--location";
        yield return DataDirectory;
        yield return "--silent";
        yield return "--disableTelemetry";
    }
}
