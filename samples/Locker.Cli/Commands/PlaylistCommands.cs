using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Locker.Cli.Cli;
using MusicLocker;
using MusicLocker.Metadata;

namespace Locker.Cli.Commands;

/// <summary><c>playlist ls|create|show|add|remove|delete</c>.</summary>
internal static class PlaylistCommands
{
    public static Command Create()
    {
        var command = new Command("playlist", "Playlists: ls, create NAME, show PLAYLIST, add PLAYLIST TRACK..., remove PLAYLIST INDEX, rename PLAYLIST NAME, delete PLAYLIST.");
        command.Add(ListCommand());
        command.Add(CreateCommand());
        command.Add(ShowCommand());
        command.Add(AddCommand());
        command.Add(RemoveCommand());
        command.Add(RenameCommand());
        command.Add(DeleteCommand());
        return command;
    }

    private static JsonObject PlaylistJson(Playlist p) => new()
    {
        ["id"] = p.Id.ToString(), ["name"] = p.Name, ["entries"] = p.EntryCount,
        ["createdAt"] = p.CreatedAt.ToString("O", CultureInfo.InvariantCulture), ["updatedAt"] = p.UpdatedAt.ToString("O", CultureInfo.InvariantCulture),
    };

    private static Command ListCommand()
    {
        var command = new Command("ls", "The playlists.");
        command.SetAction((parse, ct) => CliHost.RunAsync(parse, ct, async context =>
        {
            await using var opened = await context.OpenAsync(create: false, ct);
            var rows = new JsonArray();
            await foreach (var p in opened.User.Playlists.ListAsync(ct))
            {
                rows.Add(PlaylistJson(p));
                if (!context.Json)
                {
                    Console.WriteLine($"{p.Id}  {p.Name}  ({p.EntryCount} track(s))");
                }
            }

            if (context.Json)
            {
                CliContext.Print(rows);
            }
            else if (rows.Count == 0)
            {
                Console.WriteLine("no playlists.");
            }

            return CliExit.Ok;
        }));
        return command;
    }

    private static Command CreateCommand()
    {
        var name = new Argument<string>("name") { Description = "The playlist's name." };
        var command = new Command("create", "Create a playlist.") { name };
        command.SetAction((parse, ct) => CliHost.RunAsync(parse, ct, async context =>
        {
            await using var opened = await context.OpenAsync(create: true, ct);
            var p = await opened.User.Playlists.CreateAsync(parse.GetValue(name)!, ct);
            Report(context, p, $"created playlist {p.Id} \"{p.Name}\"");
            return CliExit.Ok;
        }));
        return command;
    }

    private static Command ShowCommand()
    {
        var playlist = Playlist();
        var command = new Command("show", "A playlist's tracks in order.") { playlist };
        command.SetAction((parse, ct) => CliHost.RunAsync(parse, ct, async context =>
        {
            await using var opened = await context.OpenAsync(create: false, ct);
            var p = await ResolveAsync(opened.User, parse.GetValue(playlist)!, ct);
            var entries = await opened.User.Playlists.GetEntriesAsync(p.Id, ct);
            if (context.Json)
            {
                var rows = new JsonArray();
                foreach (var e in entries)
                {
                    rows.Add(new JsonObject { ["index"] = e.Index, ["entryId"] = e.EntryId.ToString(), ["track"] = CliHost.TrackJson(e.Track) });
                }

                var json = PlaylistJson(p);
                json["tracks"] = rows;
                CliContext.Print(json);
            }
            else
            {
                Console.WriteLine($"{p.Name} ({entries.Count} track(s))");
                foreach (var e in entries)
                {
                    Console.WriteLine($"{e.Index + 1,4}. {CliHost.TrackLine(e.Track)}");
                }
            }

            return CliExit.Ok;
        }));
        return command;
    }

    private static Command AddCommand()
    {
        var playlist = Playlist();
        var tracks = new Argument<string[]>("track") { Description = "Track ids, or words that each match exactly one track.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("add", "Add tracks at the end of a playlist.") { playlist, tracks };
        command.SetAction((parse, ct) => CliHost.RunAsync(parse, ct, async context =>
        {
            await using var opened = await context.OpenAsync(create: false, ct);
            var p = await ResolveAsync(opened.User, parse.GetValue(playlist)!, ct);
            var ids = new List<Guid>();
            foreach (var t in parse.GetValue(tracks)!)
            {
                ids.Add((await LibraryCommands.ResolveTrackAsync(opened.User, t, ct)).Id);
            }

            var added = await opened.User.Playlists.AddTracksAsync(p.Id, ids, null, ct);
            Report(context, await opened.User.Playlists.GetAsync(p.Id, ct), $"added {added.Count} track(s) to \"{p.Name}\"");
            return CliExit.Ok;
        }));
        return command;
    }

    private static Command RemoveCommand()
    {
        var playlist = Playlist();
        var index = new Argument<int>("index") { Description = "The entry's position as `playlist show` numbers it (from 1)." };
        var command = new Command("remove", "Remove one entry from a playlist (the track stays in the locker).") { playlist, index };
        command.SetAction((parse, ct) => CliHost.RunAsync(parse, ct, async context =>
        {
            await using var opened = await context.OpenAsync(create: false, ct);
            var p = await ResolveAsync(opened.User, parse.GetValue(playlist)!, ct);
            var entries = await opened.User.Playlists.GetEntriesAsync(p.Id, ct);
            int at = parse.GetValue(index);
            if (at < 1 || at > entries.Count)
            {
                throw new CliException(CliExit.NotFound, $"\"{p.Name}\" has {entries.Count} entr{(entries.Count == 1 ? "y" : "ies")}; there is no number {at}.");
            }

            await opened.User.Playlists.RemoveEntryAsync(p.Id, entries[at - 1].EntryId, ct);
            Report(context, await opened.User.Playlists.GetAsync(p.Id, ct), $"removed entry {at} (\"{entries[at - 1].Track.Tags.Title}\") from \"{p.Name}\"");
            return CliExit.Ok;
        }));
        return command;
    }

    private static Command RenameCommand()
    {
        var playlist = Playlist();
        var name = new Argument<string>("name") { Description = "The new name." };
        var command = new Command("rename", "Rename a playlist.") { playlist, name };
        command.SetAction((parse, ct) => CliHost.RunAsync(parse, ct, async context =>
        {
            await using var opened = await context.OpenAsync(create: false, ct);
            var p = await ResolveAsync(opened.User, parse.GetValue(playlist)!, ct);
            var renamed = await opened.User.Playlists.RenameAsync(p.Id, parse.GetValue(name)!, ct);
            Report(context, renamed, $"renamed \"{p.Name}\" to \"{renamed.Name}\"");
            return CliExit.Ok;
        }));
        return command;
    }

    private static Command DeleteCommand()
    {
        var playlist = Playlist();
        var command = new Command("delete", "Delete a playlist (not its tracks).") { playlist };
        command.SetAction((parse, ct) => CliHost.RunAsync(parse, ct, async context =>
        {
            await using var opened = await context.OpenAsync(create: false, ct);
            var p = await ResolveAsync(opened.User, parse.GetValue(playlist)!, ct);
            await opened.User.Playlists.DeleteAsync(p.Id, ct);
            Report(context, p, $"deleted playlist \"{p.Name}\"");
            return CliExit.Ok;
        }));
        return command;
    }

    private static Argument<string> Playlist() => new("playlist") { Description = "A playlist id or its exact name." };

    private static void Report(CliContext context, Playlist p, string line)
    {
        if (context.Json)
        {
            CliContext.Print(PlaylistJson(p));
        }
        else
        {
            Console.WriteLine(line);
        }
    }

    private static async Task<Playlist> ResolveAsync(IUserLocker user, string text, CancellationToken ct)
    {
        if (Guid.TryParse(text, out var id))
        {
            return await user.Playlists.GetAsync(id, ct);
        }

        var matches = new List<Playlist>();
        await foreach (var p in user.Playlists.ListAsync(ct))
        {
            if (string.Equals(p.Name, text, StringComparison.Ordinal))
            {
                matches.Add(p);
            }
        }

        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new CliException(CliExit.NotFound, $"there is no playlist named '{text}'; `locker playlist ls` lists them."),
            _ => throw new CliException(CliExit.Usage, $"{matches.Count} playlists are named '{text}'; use the id (`locker playlist ls`)."),
        };
    }
}
