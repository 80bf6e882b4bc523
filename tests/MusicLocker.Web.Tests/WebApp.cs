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

    public static Task<WebApp> StartAsync(string root, CancellationToken ct) =>
        StartAsync("Locker.Web", ["--root", root, "--port", "0"], null, Listening(), ct);

    /// <summary>Starts a built sample (samples/NAME/bin/…/NAME.dll) and waits for <paramref name="ready"/>'s group 1 (its URL).</summary>
    public static async Task<WebApp> StartAsync(string sample, string[] arguments, string? workingDirectory, Regex readyLine, CancellationToken ct)
    {
        string? dll = null;
        foreach (var config in new[] { "Release", "Debug" })
        {
            string path = Path.Combine(TestEnvironment.RepositoryRoot, "samples", sample, "bin", config, "net10.0", sample + ".dll");
            if (File.Exists(path))
            {
                dll = path;
                break;
            }
        }

        TestEnvironment.RequireServer(dll is not null, $"samples/{sample} is not built (dotnet build samples/{sample} -c Release)");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        foreach (var name in new[] { "LOCKER_CONFIG", "LOCKER_ROOT", "LOCKER_STORAGE", "LOCKER_METADATA", "LOCKER_USER", "LOCKER_WEB_PORT" })
        {
            start.Environment.Remove(name);
        }

        foreach (var a in new[] { dll! }.Concat(arguments))
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

            if (readyLine.Match(e.Data) is { Success: true } match)
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
            throw new InvalidOperationException($"samples/{sample} did not start: " + output);
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
