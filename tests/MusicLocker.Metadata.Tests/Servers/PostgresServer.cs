using System.Diagnostics;
using MusicLocker.Testing.Servers;
using Npgsql;

[assembly: AssemblyFixture(typeof(MusicLocker.Metadata.Tests.Servers.PostgresServer))]

namespace MusicLocker.Metadata.Tests.Servers;

/// <summary>
/// One throwaway PostgreSQL server for the whole test run: Debian's binaries, <c>initdb</c> into a temp directory and
/// <c>pg_ctl start</c> on a free 127.0.0.1 port, stopped by its process id at the end. PostgreSQL refuses to run as root,
/// so as root (here and in CI) it runs as the <c>postgres</c> system user that the Debian package creates.
/// When the binaries are missing, <see cref="Available"/> is false and tests call <c>TestEnvironment.RequireServer</c>.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private const string SystemUser = "postgres";

    private string? _root;
    private int? _postmasterPid;
    private int _databaseCounter;

    public bool Available { get; private set; }

    public string UnavailableReason { get; private set; } = "PostgreSQL was not started.";

    public int Port { get; private set; }

    /// <summary>The folder of initdb/pg_ctl: PG_BIN when set, else the newest /usr/lib/postgresql/N/bin.</summary>
    public static string? FindBinaries()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("PG_BIN");
        if (!string.IsNullOrEmpty(fromEnvironment) && File.Exists(Path.Combine(fromEnvironment, "initdb")))
        {
            return fromEnvironment;
        }

        if (!Directory.Exists("/usr/lib/postgresql"))
        {
            return null;
        }

        return Directory.GetDirectories("/usr/lib/postgresql")
            .Select(dir => (Dir: Path.Combine(dir, "bin"), Version: int.TryParse(Path.GetFileName(dir), out int v) ? v : 0))
            .Where(x => File.Exists(Path.Combine(x.Dir, "initdb")) && File.Exists(Path.Combine(x.Dir, "pg_ctl")))
            .OrderByDescending(x => x.Version)
            .Select(x => x.Dir)
            .FirstOrDefault();
    }

    /// <summary>Set (to 1) in the environment of a child process that runs one test of this assembly and is killed on
    /// purpose: its assembly fixture must not start a server the kill would leave running.</summary>
    public const string NoServerVariable = "MUSICLOCKER_TEST_NO_SERVERS";

    public async ValueTask InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable(NoServerVariable) == "1")
        {
            UnavailableReason = $"Not started: {NoServerVariable}=1 (a child test process).";
            return;
        }

        var bin = FindBinaries();
        if (bin is null)
        {
            UnavailableReason = "PostgreSQL binaries not found (apt-get install postgresql, or set PG_BIN).";
            return;
        }

        bool asRoot = Environment.UserName == "root";
        if (asRoot && !File.Exists("/usr/sbin/runuser") && !File.Exists("/sbin/runuser"))
        {
            UnavailableReason = "Running as root but runuser is missing, and PostgreSQL refuses to run as root.";
            return;
        }

        _root = Directory.CreateTempSubdirectory("musiclocker-pg-").FullName;
        string data = Path.Combine(_root, "data");
        string sockets = Path.Combine(_root, "sockets");
        Directory.CreateDirectory(sockets);
        if (asRoot)
        {
            await RunAsync("chown", ["-R", $"{SystemUser}:{SystemUser}", _root], asUser: false).ConfigureAwait(false);
        }

        Port = ServerProcess.FreePort();
        await RunAsync(Path.Combine(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"], asRoot).ConfigureAwait(false);
        await RunAsync(Path.Combine(bin, "pg_ctl"),
            ["-D", data, "-w", "-t", "60", "-l", Path.Combine(_root, "server.log"), "-o",
             $"-c listen_addresses=127.0.0.1 -p {Port} -k {sockets} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300", "start"],
            asRoot).ConfigureAwait(false);
        var pidLine = (await File.ReadAllLinesAsync(Path.Combine(data, "postmaster.pid")).ConfigureAwait(false))[0];
        _postmasterPid = int.Parse(pidLine, System.Globalization.CultureInfo.InvariantCulture);
        Available = true;
    }

    /// <summary>Creates a new, empty database and returns a connection string for it (pool capped so 4 stores stay under max_connections).</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        if (!Available)
        {
            throw new InvalidOperationException(UnavailableReason);
        }

        string name = $"{prefix}_{Interlocked.Increment(ref _databaseCounter)}_{Environment.ProcessId}".ToLowerInvariant();
        await using (var admin = new NpgsqlConnection(ConnectionString("postgres", pooling: false)))
        {
            await admin.OpenAsync().ConfigureAwait(false);
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'", admin);
            await create.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        return ConnectionString(name, pooling: true);
    }

    /// <summary>Drops the database <paramref name="connectionString"/> points at, closing this process's pooled connections to it first.</summary>
    public async Task DropDatabaseAsync(string connectionString)
    {
        NpgsqlConnection.ClearAllPools();
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await using var admin = new NpgsqlConnection(ConnectionString("postgres", pooling: false));
        await admin.OpenAsync().ConfigureAwait(false);
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    public string ConnectionString(string database, bool pooling) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "postgres",
        Database = database,
        Pooling = pooling,
        MaxPoolSize = 40,
        Timeout = 30,
        CommandTimeout = 60,
    }.ToString();

    public async ValueTask DisposeAsync()
    {
        if (_postmasterPid is int pid)
        {
            try
            {
                using var postmaster = Process.GetProcessById(pid);
                // SIGINT is PostgreSQL's "fast shutdown": it disconnects clients and exits cleanly.
                await RunAsync("kill", ["-INT", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)], asUser: false).ConfigureAwait(false);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                try
                {
                    await postmaster.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    postmaster.Kill();
                }
            }
            catch (ArgumentException)
            {
                // The postmaster already exited.
            }
        }

        if (_root is not null)
        {
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open: the temp folder is left for the OS to clean.
            }
        }
    }

    private static async Task RunAsync(string program, string[] arguments, bool asUser)
    {
        var start = new ProcessStartInfo
        {
            FileName = asUser ? "runuser" : program,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        if (asUser)
        {
            start.ArgumentList.Add("-u");
            start.ArgumentList.Add(SystemUser);
            start.ArgumentList.Add("--");
            start.ArgumentList.Add(program);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await error.ConfigureAwait(false)} {await output.ConfigureAwait(false)}");
        }
    }
}
