using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MusicLocker.Benchmarks.Cloud;

/// <summary>
/// An emulator (s3rver, Azurite) from tests/node_modules/.bin, started for one benchmark run on a free 127.0.0.1 port with
/// a temp data folder, and killed by pid afterwards. Run <c>npm ci</c> in tests/ first (tests/install-prerequisites.sh).
/// </summary>
internal sealed class CloudEmulator : IDisposable
{
    private readonly Process _process;

    private CloudEmulator(Process process, int port, string dataDirectory)
    {
        _process = process;
        Port = port;
        DataDirectory = dataDirectory;
    }

    public int Port { get; }

    public string DataDirectory { get; }

    public static CloudEmulator Start(string binary, Func<int, string, IEnumerable<string>> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        string bin = Path.Combine(RepositoryRoot(), "tests", "node_modules", ".bin", binary);
        if (!File.Exists(bin))
        {
            throw new InvalidOperationException($"{bin} is missing: run 'npm ci' in tests/ (tests/install-prerequisites.sh does).");
        }

        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        string data = Directory.CreateTempSubdirectory("musiclocker-bench-" + binary + "-").FullName;
        var psi = new ProcessStartInfo(bin) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments(port, data))
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[name] = value;
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException($"{bin} did not start.");
        process.OutputDataReceived += static (_, _) => { };
        process.ErrorDataReceived += static (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                return new CloudEmulator(process, port, data);
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(60) && !process.HasExited)
            {
                Thread.Sleep(100);
            }
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(15_000);
        }

        _process.Dispose();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by the dying emulator: the temp folder is cleaned by the OS later.
        }
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MusicLocker.Sdk.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("MusicLocker.Sdk.sln not found above " + AppContext.BaseDirectory);
    }
}
