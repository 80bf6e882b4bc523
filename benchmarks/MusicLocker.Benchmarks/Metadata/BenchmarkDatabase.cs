using System.Data.Common;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MusicLocker.Metadata;
using MusicLocker.Metadata.Sql;
using MusicLocker.Metadata.Postgres;
using MusicLocker.Metadata.Sqlite;
using Npgsql;

namespace MusicLocker.Benchmarks.Metadata;

/// <summary>Which metadata provider a benchmark case runs on.</summary>
public enum MetadataProvider
{
    /// <summary>The embedded SQLite store (one file, WAL).</summary>
    Sqlite,

    /// <summary>PostgreSQL 15 on 127.0.0.1, started by the benchmark (Debian's binaries).</summary>
    Postgres,
}

/// <summary>
/// A database for one benchmark process: a temp SQLite file, or a throwaway PostgreSQL server (initdb + pg_ctl in a temp
/// folder, as the <c>postgres</c> user when running as root, stopped by pid). Opens the store and, for the raw
/// ADO.NET baselines, connections set up exactly as the store's own.
/// </summary>
internal sealed class BenchmarkDatabase : IAsyncDisposable
{
    private readonly string _folder;
    private int? _postmasterPid;
    private SqlDialect? _rawDialect;

    private BenchmarkDatabase(MetadataProvider provider, string folder)
    {
        Provider = provider;
        _folder = folder;
    }

    public MetadataProvider Provider { get; }

    public ILockerMetadataStore Store { get; private set; } = null!;

    private string ConnectionTarget { get; set; } = string.Empty;

    /// <summary>Starts (or reuses, for SQLite with <paramref name="sqliteFileName"/>) a database and opens the store on it.</summary>
    public static async Task<BenchmarkDatabase> StartAsync(MetadataProvider provider, string? sqliteFileName = null)
    {
        var folder = sqliteFileName is null
            ? Directory.CreateTempSubdirectory("musiclocker-bench-").FullName
            : Path.Combine(Path.GetTempPath(), "musiclocker-bench-cache");
        Directory.CreateDirectory(folder);
        var database = new BenchmarkDatabase(provider, folder);
        if (provider == MetadataProvider.Sqlite)
        {
            database.ConnectionTarget = Path.Combine(folder, sqliteFileName ?? "locker.db");
            database.Store = await SqliteMetadataStore.OpenAsync(new SqliteMetadataStoreOptions { DatabasePath = database.ConnectionTarget });
            database._rawDialect = new SqliteDialect(database.ConnectionTarget, TimeSpan.FromSeconds(30));
        }
        else
        {
            database.ConnectionTarget = await database.StartPostgresAsync();
            database.Store = await PostgresMetadataStore.OpenAsync(new PostgresMetadataStoreOptions { ConnectionString = database.ConnectionTarget });
            database._rawDialect = new PostgresDialect(NpgsqlDataSource.Create(database.ConnectionTarget));
        }

        return database;
    }

    /// <summary>A connection prepared exactly as the store prepares its own (pooled; SQLite pragmas applied).</summary>
    public ValueTask<DbConnection> OpenRawAsync() => _rawDialect!.OpenAsync(CancellationToken.None);

    /// <summary>Runs a query as plain ADO.NET (one command, parameters by name, every value of every row read) and counts the rows.</summary>
    public async Task<int> RawReadAllAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = await OpenRawAsync();
        await using var command = RawCommand(connection, null, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync();
        int rows = 0;
        var values = new object[reader.FieldCount];
        while (await reader.ReadAsync())
        {
            reader.GetValues(values);
            rows++;
        }

        return rows;
    }

    /// <summary>A plain ADO.NET command with parameters by name.</summary>
    public static DbCommand RawCommand(DbConnection connection, DbTransaction? transaction, string sql, (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    /// <summary>The provider's full-text predicate and source, for the raw search baseline.</summary>
    public SqlDialect Dialect => _rawDialect!;

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        if (_rawDialect is not null)
        {
            await _rawDialect.DisposeAsync();
        }

        if (_postmasterPid is int pid)
        {
            await RunAsync("kill", ["-INT", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)], asPostgres: false);
            try
            {
                using var process = Process.GetProcessById(pid);
                await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
        }

        if (!_folder.EndsWith("musiclocker-bench-cache", StringComparison.Ordinal))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private async Task<string> StartPostgresAsync()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).Order().LastOrDefault()
            : null;
        if (bin is null)
        {
            throw new InvalidOperationException("PostgreSQL binaries not found under /usr/lib/postgresql (apt-get install postgresql).");
        }

        bool asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            await RunAsync("chown", ["-R", "postgres:postgres", _folder], asPostgres: false);
        }

        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        string data = Path.Combine(_folder, "data");
        await RunAsync(Path.Combine(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"], asRoot);
        // fsync stays on (unlike the tests' server): the quota benchmark measures commits as an app would see them.
        await RunAsync(Path.Combine(bin, "pg_ctl"),
            ["-D", data, "-w", "-l", Path.Combine(_folder, "server.log"), "-o", $"-c listen_addresses=127.0.0.1 -p {port} -k {_folder} -c max_connections=100", "start"], asRoot);
        _postmasterPid = int.Parse((await File.ReadAllLinesAsync(Path.Combine(data, "postmaster.pid")))[0], System.Globalization.CultureInfo.InvariantCulture);
        return $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Maximum Pool Size=20";
    }

    private static async Task RunAsync(string program, string[] arguments, bool asPostgres)
    {
        var start = new ProcessStartInfo(asPostgres ? "runuser" : program) { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = Path.GetTempPath() };
        if (asPostgres)
        {
            foreach (var a in (string[])["-u", "postgres", "--", program])
            {
                start.ArgumentList.Add(a);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} failed ({process.ExitCode}): {await error}");
        }
    }
}
