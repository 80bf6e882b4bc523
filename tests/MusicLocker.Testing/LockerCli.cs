using System.Diagnostics;

namespace MusicLocker.Testing;

/// <summary>Runs the built <c>locker</c> sample (samples/Locker.Cli) as a user would, for the tests of its commands.</summary>
public static class LockerCli
{
    /// <summary>Runs <c>dotnet locker.dll ARGS</c> in <paramref name="workingDirectory"/>; skips when the sample is not built (fails under CI).</summary>
    public static Task<(int ExitCode, string Output)> RunAsync(string? workingDirectory, params string[] args) =>
        RunAsync(workingDirectory, null, args);

    /// <summary>Starts <c>dotnet locker.dll ARGS</c> without waiting (standard output and error redirected), for tests that signal it.</summary>
    public static Process Start(string workingDirectory, params string[] args)
    {
        string? cli = Find();
        TestEnvironment.RequireServer(cli is not null, "samples/Locker.Cli is not built (dotnet build samples/Locker.Cli -c Release)");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        foreach (var name in new[] { "LOCKER_CONFIG", "LOCKER_ROOT", "LOCKER_STORAGE", "LOCKER_METADATA", "LOCKER_USER" })
        {
            start.Environment.Remove(name);
        }

        start.ArgumentList.Add(cli!);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        return Process.Start(start)!;
    }

    private static string? Find()
    {
        foreach (var config in new[] { "Release", "Debug" })
        {
            var path = Path.Combine(TestEnvironment.RepositoryRoot, "samples", "Locker.Cli", "bin", config, "net10.0", "locker.dll");
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }

    /// <summary>Runs <c>dotnet locker.dll ARGS</c> with extra environment variables (a null value removes one).</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string? workingDirectory, IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        string? cli = Find();
        TestEnvironment.RequireServer(cli is not null, "samples/Locker.Cli is not built (dotnet build samples/Locker.Cli -c Release)");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        foreach (var name in new[] { "LOCKER_CONFIG", "LOCKER_ROOT", "LOCKER_STORAGE", "LOCKER_METADATA", "LOCKER_USER" })
        {
            // The caller's own settings never leak into a test run.
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
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
