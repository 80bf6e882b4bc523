using MusicLocker.Storage.Tests;

// `dotnet MusicLocker.Storage.Tests.dll child ...` runs one store operation for the cross-process tests;
// anything else is the xunit console runner (VSTest loads the assembly without calling Main).
if (args.Length > 0 && args[0] == "child")
{
    return await ChildProcess.RunAsync(args[1..]);
}

return await Xunit.Runner.InProc.SystemConsole.ConsoleRunner.Run(args);
