using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using MusicLocker.Testing;

namespace MusicLocker.Web.Tests;

/// <summary>The built web sample (samples/Locker.Web) run as a child process on a free loopback port.</summary>
internal sealed partial class WebApp : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output;

    private WebApp(Process process, StringBuilder output, string url)
    {
        _process = process;
        _output = output;
        Url = url;
    }

    public string Url { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static async Task<WebApp> StartAsync(string root, CancellationToken ct)
    {
        string? dll = null;
        foreach (var config in new[] { "Release", "Debug" })
        {
            string path = Path.Combine(TestEnvironment.RepositoryRoot, "samples", "Locker.Web", "bin", config, "net10.0", "Locker.Web.dll");
            if (File.Exists(path))
            {
                dll = path;
                break;
            }
        }

        TestEnvironment.RequireServer(dll is not null, "samples/Locker.Web is not built (dotnet build samples/Locker.Web -c Release)");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var name in new[] { "LOCKER_CONFIG", "LOCKER_ROOT", "LOCKER_STORAGE", "LOCKER_METADATA", "LOCKER_USER", "LOCKER_WEB_PORT" })
        {
            start.Environment.Remove(name);
        }

        foreach (var a in new[] { dll!, "--root", root, "--port", "0" })
        {
            start.ArgumentList.Add(a);
        }

        var process = Process.Start(start)!;
        var output = new StringBuilder();
        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(object? sender, DataReceivedEventArgs e)
        {
            if (e.Data is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (Listening().Match(e.Data) is { Success: true } match)
            {
                ready.TrySetResult(match.Groups[1].Value);
            }
        }

        process.OutputDataReceived += OnLine;
        process.ErrorDataReceived += OnLine;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var exited = process.WaitForExitAsync(ct);
        var first = await Task.WhenAny(ready.Task, exited, Task.Delay(TimeSpan.FromMinutes(2), ct));
        if (first != ready.Task)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }

            process.Dispose();
            throw new InvalidOperationException("the web sample did not start: " + output);
        }

        return new WebApp(process, output, await ready.Task);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    [GeneratedRegex(@"on (http://127\.0\.0\.1:\d+)")]
    private static partial Regex Listening();
}
