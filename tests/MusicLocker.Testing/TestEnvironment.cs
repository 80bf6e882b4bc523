namespace MusicLocker.Testing;

/// <summary>How a test treats a missing prerequisite.</summary>
public static class TestEnvironment
{
    /// <summary>Whether the tests run under CI (<c>CI=true</c>), where a missing server is a failure, not a skip.</summary>
    public static bool IsCI => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Skips the test with <paramref name="reason"/> when a server or tool the test needs is missing on this machine;
    /// under <c>CI=true</c> fails it instead, because CI installs every prerequisite (see tests/install-prerequisites.sh).
    /// </summary>
    public static void RequireServer(bool available, string reason)
    {
        if (available)
        {
            return;
        }

        if (IsCI)
        {
            Assert.Fail($"Required prerequisite is missing under CI=true: {reason}");
        }

        Assert.Skip(reason);
    }

    /// <summary>Skips the test because an emulator lacks a feature the real service has (allowed under CI: the gap is declared once, in the fixture).</summary>
    public static void SkipForEmulatorGap(string emulator, string feature) => Assert.Skip($"emulator lacks {feature} ({emulator})");

    /// <summary>Whether an executable is on the PATH (or is an existing absolute path).</summary>
    public static bool HasExecutable(string name)
    {
        if (Path.IsPathRooted(name))
        {
            return File.Exists(name);
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            if (File.Exists(Path.Combine(dir, name)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The repository root (the folder holding MusicLocker.Sdk.sln), found upwards from the test assembly.</summary>
    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MusicLocker.Sdk.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException($"MusicLocker.Sdk.sln not found above {AppContext.BaseDirectory}.");
        }
    }
}
