using MusicLocker.Testing.Storage;

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

    /// <summary>Prepares a server (not started) on a data directory and port of its own, or the given ones.</summary>
    public AzuriteServer(string? dataDirectory = null, int? port = null)
        : base(dataDirectory, port)
    {
    }

    /// <summary>The blob service endpoint of the development account.</summary>
    public Uri BlobEndpoint => new($"http://127.0.0.1:{Port}/{AccountName}");

    /// <summary>A connection string for the development account on this server.</summary>
    public string ConnectionString => $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};BlobEndpoint={BlobEndpoint};";

    /// <summary>The emulator's name in skip messages.</summary>
    public const string EmulatorName = "Azurite 3.37.0";

    /// <summary>
    /// None: what Azurite gets wrong that the provider meets (suffix ranges answer 500; a range at the blob's length
    /// answers an empty 206) is closed in the provider, so every conformance test runs.
    /// </summary>
    public const BlobStoreGaps DeclaredGaps = BlobStoreGaps.None;

    /// <inheritdoc />
    public override string Name => EmulatorName;

    /// <inheritdoc />
    public override BlobStoreGaps Gaps => DeclaredGaps;

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

    /// <summary>
    /// Waits until Azurite's metadata database on disk (LokiJS, saved every few seconds) holds <paramref name="text"/> at
    /// least <paramref name="occurrences"/> times (a blob's name is in each of its block records): a server killed after
    /// that restarts knowing them.
    /// </summary>
    /// <exception cref="TimeoutException">Not saved within <paramref name="timeout"/> (default 60 s).</exception>
    public async Task WaitUntilSavedAsync(string text, int occurrences = 1, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        string path = Path.Combine(DataDirectory, "__azurite_db_blob__.json");
        var deadline = TimeProvider.System.GetTimestamp() + (long)((timeout ?? TimeSpan.FromSeconds(60)).TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (true)
        {
            try
            {
                string saved = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
                int found = 0;
                for (int at = saved.IndexOf(text, StringComparison.Ordinal); at >= 0 && found < occurrences; at = saved.IndexOf(text, at + text.Length, StringComparison.Ordinal))
                {
                    found++;
                }

                if (found >= occurrences)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is FileNotFoundException or IOException)
            {
                // Not written yet, or being replaced: look again.
            }

            if (TimeProvider.System.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"Azurite did not save '{text}' {occurrences} time(s) to {path} in time.");
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
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
