namespace Locker.Cli.Cli;

/// <summary>The exit codes of <c>locker</c> (documented in the sample's README).</summary>
internal static class CliExit
{
    /// <summary>Done.</summary>
    public const int Ok = 0;

    /// <summary>The command failed (the message says why).</summary>
    public const int Failed = 1;

    /// <summary>The command line or the configuration is wrong.</summary>
    public const int Usage = 2;

    /// <summary>What the command names does not exist (no locker yet, no such track or playlist).</summary>
    public const int NotFound = 3;

    /// <summary>The quota does not allow it.</summary>
    public const int QuotaExceeded = 4;

    /// <summary>Part of a batch failed (the others are done; see the per-file lines).</summary>
    public const int Partial = 5;

    /// <summary>Interrupted (Ctrl+C): an upload is paused; running the same command again resumes it.</summary>
    public const int Interrupted = 130;
}

/// <summary>A failure the CLI reports as one line with an exit code.</summary>
internal sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
