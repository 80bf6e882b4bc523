using System.CommandLine;
using MusicLocker.Storage.FileSystem;

namespace Locker.Cli.Commands;

/// <summary>Options every store command shares.</summary>
internal static class CliOptions
{
    public static Option<DirectoryInfo> Root() => new("--root")
    {
        Description = "The locker folder (default: $LOCKER_ROOT, or ./.locker).",
        DefaultValueFactory = _ => new DirectoryInfo(Environment.GetEnvironmentVariable("LOCKER_ROOT") is { Length: > 0 } env ? env : ".locker"),
    };

    public static FileSystemBlobStore OpenStore(DirectoryInfo root) => new(root.FullName);
}
