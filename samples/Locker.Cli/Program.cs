using System.CommandLine;
using Locker.Cli.Cli;
using Locker.Cli.Commands;

// `locker`: the command-line face of MusicLocker.Sdk. Settings come from --config/locker.json, LOCKER_* variables and
// the options below; the default is the embedded locker in ./locker-data (file system + SQLite + local key ring).
var root = new RootCommand("locker — a music locker on your own storage (MusicLocker.Sdk sample)");
CliHost.AddGlobalOptions(root);
root.Add(Locker.Cli.Probe.ProbeCommand.Create());
root.Add(UploadCommands.Scan());
root.Add(UploadCommands.Upload());
root.Add(LibraryCommands.List());
root.Add(LibraryCommands.Get());
root.Add(LibraryCommands.Remove());
root.Add(PlaylistCommands.Create());
root.Add(LibraryCommands.Quota());
root.Add(LibraryCommands.History());
root.Add(LibraryCommands.DeleteAccount());
root.Add(UserCommands.Create());
root.Add(MigrateCommand.Create());
root.Add(DemoCommand.Create());
root.SetAction(_ =>
{
    Console.Error.WriteLine("locker: say what to do, e.g. `locker upload ~/Music` or `locker ls` (`locker --help` lists the commands).");
    return CliExit.Usage;
});

var parse = root.Parse(args);
if (parse.Errors.Count > 0 && !args.Contains("--help") && !args.Contains("-h"))
{
    // One line per distinct problem, and no usage dump: scripts read stderr.
    foreach (var message in parse.Errors.Select(e => e.Message).Distinct(StringComparer.Ordinal))
    {
        Console.Error.WriteLine("locker: " + message);
    }

    Console.Error.WriteLine("        (`locker --help` lists the commands; `locker COMMAND --help` their options)");
    return CliExit.Usage;
}

// Ctrl+C cancels the running command; give an upload time to stop at a part boundary and say how to resume.
return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) });
