using MusicLocker.Testing.Storage;

namespace MusicLocker.Testing.Servers;

/// <summary>
/// An emulator (s3rver, Azurite) run from <c>tests/node_modules/.bin</c> on 127.0.0.1 with its own data directory, which
/// it keeps across <see cref="KillAsync"/> and <see cref="RestartAsync"/> so fault tests can crash it and bring it back.
/// </summary>
public abstract class EmulatorServer : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ServerProcess? _process;
    private readonly bool _ownsDataDirectory;

    /// <summary>Prepares a server; <see cref="RestartAsync"/> starts it.</summary>
    protected EmulatorServer(string? dataDirectory, int? port)
    {
        _ownsDataDirectory = dataDirectory is null;
        DataDirectory = dataDirectory ?? Directory.CreateTempSubdirectory("musiclocker-" + GetType().Name.ToLowerInvariant() + "-").FullName;
        Port = port ?? ServerProcess.FreePort();
    }

    /// <summary>The folder the emulator keeps its data in.</summary>
    public string DataDirectory { get; }

    /// <summary>The port on 127.0.0.1 (the same after a restart).</summary>
    public int Port { get; }

    /// <summary>The emulator's process id, or <see langword="null"/> when it is not running.</summary>
    public int? ProcessId => _process is { IsRunning: true } p ? p.ProcessId : null;

    /// <summary>The features of the real service the emulator lacks, declared once here (conformance subclasses use them).</summary>
    public abstract BlobStoreGaps Gaps { get; }

    /// <summary>The name of the emulator in skip messages.</summary>
    public abstract string Name { get; }

    /// <summary>Kills the emulator as a crash would; its data directory stays.</summary>
    public async Task KillAsync()
    {
        if (_process is { } p)
        {
            _process = null;
            await p.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Starts the emulator again when it has died (an emulator bug can crash it, e.g. s3rver on a CompleteMultipartUpload
    /// naming a part never stored), so one crashing test does not fail every later one. The crash still fails its own test.
    /// </summary>
    public async Task EnsureRunningAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_process is not { IsRunning: true })
            {
                await StartCoreAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Starts the emulator (again) on the same port and data directory.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await StartCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        await KillAsync().ConfigureAwait(false);
        string bin = await NodeModules.RequireBinaryAsync(BinaryName, cancellationToken).ConfigureAwait(false);
        _process = await ServerProcess.StartAsync(bin, Arguments(), Port, Environment(), cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await KillAsync().ConfigureAwait(false);
        if (_ownsDataDirectory)
        {
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A file still held by a dying child: the temp folder is cleaned by the OS later.
            }
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>The file in <c>node_modules/.bin</c>.</summary>
    protected abstract string BinaryName { get; }

    /// <summary>The command-line arguments.</summary>
    protected abstract IEnumerable<string> Arguments();

    /// <summary>Environment variables the emulator needs.</summary>
    protected virtual IReadOnlyDictionary<string, string>? Environment() => null;

    /// <summary>The shared instance, started again first if it died.</summary>
    protected static async Task<T> GetRunningAsync<T>(Lazy<Task<T>> shared)
        where T : EmulatorServer
    {
        var server = await shared.Value.ConfigureAwait(false);
        await server.EnsureRunningAsync().ConfigureAwait(false);
        return server;
    }

    /// <summary>Starts one instance of <typeparamref name="T"/> per test process, stopped when the process exits.</summary>
    protected static Lazy<Task<T>> Shared<T>(Func<T> create)
        where T : EmulatorServer => new(async () =>
        {
            var server = create();
            try
            {
                await server.RestartAsync().ConfigureAwait(false);
            }
            catch
            {
                await server.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            AppDomain.CurrentDomain.ProcessExit += (_, _) => server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return server;
        });
}
