using System.Diagnostics;

namespace MusicLocker.Testing.Servers;

/// <summary>
/// The npm packages the cloud tests start (s3rver, Azurite), pinned in <c>tests/package-lock.json</c>. Installs them with
/// <c>npm ci</c> when <c>tests/node_modules</c> is missing, once per machine even when several test assemblies start together.
/// </summary>
public static class NodeModules
{
    private static readonly SemaphoreSlim InstallGate = new(1, 1);

    /// <summary>The <c>tests/</c> folder that holds package.json.</summary>
    public static string TestsFolder => Path.Combine(TestEnvironment.RepositoryRoot, "tests");

    /// <summary>Whether <c>node</c> and <c>npm</c> are on the PATH.</summary>
    public static bool HasNode => TestEnvironment.HasExecutable("node") && TestEnvironment.HasExecutable("npm");

    /// <summary>
    /// Returns the path of <c>node_modules/.bin/<paramref name="name"/></c>, running <c>npm ci</c> first when it is missing.
    /// Skips the test (fails under CI) when node or npm is missing.
    /// </summary>
    public static async Task<string> RequireBinaryAsync(string name, CancellationToken cancellationToken = default)
    {
        TestEnvironment.RequireServer(HasNode, $"node and npm are needed to run {name} (apt-get install nodejs npm, then tests/install-prerequisites.sh)");
        string bin = Path.Combine(TestsFolder, "node_modules", ".bin", name);
        if (File.Exists(bin))
        {
            return bin;
        }

        await InstallGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!File.Exists(bin))
            {
                await NpmCiAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            InstallGate.Release();
        }

        if (!File.Exists(bin))
        {
            throw new InvalidOperationException($"npm ci in {TestsFolder} finished but {bin} does not exist; is '{name}' in tests/package.json?");
        }

        return bin;
    }

    private static async Task NpmCiAsync(CancellationToken cancellationToken)
    {
        // Another test process may be installing too: an exclusive lock file serialises them across processes.
        string lockPath = Path.Combine(TestsFolder, ".npm-ci.lock");
        FileStream? gate = null;
        for (int attempt = 0; gate is null; attempt++)
        {
            try
            {
                gate = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (attempt < 600)
            {
                await Task.Delay(500, cancellationToken).ConfigureAwait(false);
            }
        }

        await using (gate.ConfigureAwait(false))
        {
            if (Directory.Exists(Path.Combine(TestsFolder, "node_modules", ".bin")))
            {
                return;
            }

            var psi = new ProcessStartInfo("npm", "ci --no-audit --no-fund --loglevel=error")
            {
                WorkingDirectory = TestsFolder,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var npm = Process.Start(psi) ?? throw new InvalidOperationException("npm could not be started.");
            var stdout = npm.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = npm.StandardError.ReadToEndAsync(cancellationToken);
            await npm.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            if (npm.ExitCode != 0)
            {
                throw new InvalidOperationException($"npm ci in {TestsFolder} failed with exit code {npm.ExitCode}:\n{await stdout.ConfigureAwait(false)}\n{await stderr.ConfigureAwait(false)}");
            }
        }
    }
}
