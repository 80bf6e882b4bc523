using System.CommandLine;
using System.Text.Json.Nodes;
using Locker.Cli.Cli;
using MusicLocker;

namespace Locker.Cli.Commands;

/// <summary>
/// <c>export DIR</c> or <c>export --zip FILE</c>: everything of the user — the original files byte for byte, playlists
/// as M3U8, listening history and the catalog as JSON — streamed to a new folder or a zip file.
/// </summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var folder = new Argument<string?>("folder") { Description = "A new or empty folder to export into.", DefaultValueFactory = _ => null };
        var zip = new Option<string?>("--zip") { Description = "Write one zip file instead (- for standard output)." };
        var command = new Command("export", "Export the user's locker: originals, playlists (M3U8), history and catalog (JSON), to a folder or a zip.") { folder, zip };
        command.SetAction((parse, ct) => CliHost.RunAsync(parse, ct, async context =>
        {
            string? dir = parse.GetValue(folder);
            string? zipPath = parse.GetValue(zip);
            if ((dir is null) == (zipPath is null))
            {
                throw new CliException(CliExit.Usage, "say where to export: a folder (`locker export DIR`) or a zip file (`locker export --zip FILE`), not both.");
            }

            if (zipPath is not null && zipPath != "-" && File.Exists(zipPath))
            {
                throw new CliException(CliExit.Usage, $"'{zipPath}' exists; export writes a new file.");
            }

            await using var opened = await context.OpenAsync(create: false, ct);
            ExportResult result;
            if (dir is not null)
            {
                result = await opened.User.Account.ExportToFolderAsync(Path.GetFullPath(dir), null, ct);
            }
            else if (zipPath == "-")
            {
                await using var stdout = Console.OpenStandardOutput();
                result = await opened.User.Account.ExportToZipAsync(stdout, null, ct);
                return CliExit.Ok;
            }
            else
            {
                string full = Path.GetFullPath(zipPath!);
                string temp = full + ".part-" + Guid.NewGuid().ToString("N")[..8];
                try
                {
                    await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
                    {
                        result = await opened.User.Account.ExportToZipAsync(file, null, ct);
                    }

                    File.Move(temp, full);
                }
                finally
                {
                    File.Delete(temp);
                }
            }

            if (context.Json)
            {
                CliContext.Print(new JsonObject { ["to"] = dir ?? zipPath, ["tracks"] = result.Tracks, ["playlists"] = result.Playlists, ["plays"] = result.Plays, ["audioBytes"] = result.AudioBytes });
            }
            else
            {
                Console.WriteLine($"exported {result.Tracks} track(s) ({CliHost.Size(result.AudioBytes)}), {result.Playlists} playlist(s), {result.Plays} play(s) to {dir ?? zipPath}");
            }

            return CliExit.Ok;
        }));
        return command;
    }
}
