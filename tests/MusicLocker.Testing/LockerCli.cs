using System.Diagnostics;

namespace MusicLocker.Testing;

/// <summary>Runs the built <c>locker</c> sample (samples/Locker.Cli) as a user would, for the tests of its commands.</summary>
public static class LockerCli
{
    /// <summary>Runs <c>dotnet locker.dll ARGS</c> in <paramref name="workingDirectory"/>; skips when the sample is not built (fails under CI).</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string? workingDirectory, params string[] args)
    {
        string? cli = null;
        foreach (var config in new[] { "Release", "Debug" })
        {
            var path = Path.Combine(TestEnvironment.RepositoryRoot, "samples", "Locker.Cli", "bin", config, "net10.0", "locker.dll");
            if (File.Exists(path))
            {
                cli = path;
                break;
            }
        }

        TestEnvironment.RequireServer(cli is not null, "samples/Locker.Cli is not built (dotnet build samples/Locker.Cli -c Release)");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        start.ArgumentList.Add(cli!);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await output + await error);
    }
}
