using System.CommandLine;
using Locker.Cli.Commands;

// `locker`: the command-line face of MusicLocker.Sdk. Every command runs on the embedded default store
// (a folder: --root, or $LOCKER_ROOT, or ./.locker).
var root = new RootCommand("locker — a music locker on your own storage (MusicLocker.Sdk sample)");
root.Add(StoreCommands.Put());
root.Add(StoreCommands.Get());
root.Add(StoreCommands.List());
root.Add(StoreCommands.Remove());
root.Add(DemoCommand.Create());
root.Add(Locker.Cli.Probe.ProbeCommand.Create());

return await root.Parse(args).InvokeAsync();
