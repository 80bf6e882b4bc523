using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Locker.Cli.Cli;
using MusicLocker;
using MusicLocker.Metadata;

namespace Locker.Cli.Commands;

/// <summary><c>ls</c>, <c>get</c>, <c>rm</c>, <c>quota</c>, <c>history</c>, <c>delete-account</c>: the user's library.</summary>
internal static class LibraryCommands
{
    public static Command List()
    {
        var what = new Argument<string>("what") { Description = "tracks (default), artists, albums, latest or search.", DefaultValueFactory = _ => "tracks" };
        what.AcceptOnlyFromAmong("tracks", "artists", "albums", "latest", "search");
        var text = new Argument<string?>("text") { Description = "For search: the words to look for.", DefaultValueFactory = _ => null };
        var limit = new Option<int>("--limit") { Description = "At most this many lines (0: all).", DefaultValueFactory = _ => 0 };
        var command = new Command("ls", "List the locker: tracks, artists, albums, latest uploads, or a search.") { what, text, limit };
        command.SetAction((parse, ct) => CliHost.RunAsync(parse, ct, async context =>
        {
            int max = parse.GetValue(limit);
            if (max < 0)
            {
                throw new CliException(CliExit.Usage, "--limit must be 0 (all) or more.");
            }

            string kind = parse.GetValue(what)!;
            string? words = parse.GetValue(text);
            if (kind == "search" && string.IsNullOrWhiteSpace(words))
            {
                throw new CliException(CliExit.Usage, "`ls search` needs the words to look for, e.g. `locker ls search beatles`.");
            }

            await using var opened = await context.OpenAsync(create: false, ct);
            var tracks = opened.User.Tracks;
            var rows = new JsonArray();
            int count = 0;
            switch (kind)
            {
                case "artists":
                    await foreach (var a in tracks.ListArtistsAsync(ct))
                    {
                        if (max > 0 && count++ >= max)
                        {
                            break;
                        }

                        rows.Add(new JsonObject { ["name"] = a.Name, ["tracks"] = a.TrackCount, ["albums"] = a.AlbumCount });
                        if (!context.Json)
                        {
                            Console.WriteLine($"{a.Name ?? "(unknown artist)"}  — {a.AlbumCount} album(s), {a.TrackCount} track(s)");
                        }
                    }

                    break;
                case "albums":
                    await foreach (var a in tracks.ListAlbumsAsync(ct))
                    {
                        if (max > 0 && count++ >= max)
                        {
                            break;
                        }

                        rows.Add(new JsonObject { ["title"] = a.Title, ["albumArtist"] = a.AlbumArtist, ["year"] = a.Year, ["tracks"] = a.TrackCount, ["durationSeconds"] = Math.Round(a.Duration.TotalSeconds, 3) });
                        if (!context.Json)
                        {
                            Console.WriteLine($"{a.AlbumArtist ?? "(unknown artist)"} — {a.Title ?? "(no album)"}{(a.Year is { } y ? $" ({y})" : string.Empty)}  {a.TrackCount} track(s), {CliHost.Duration(a.Duration)}");
                        }
                    }

                    break;
                default:
                    var source = kind switch
                    {
                        "search" => tracks.SearchAsync(words!, ct),
                        "latest" => tracks.ListAsync(new TrackQuery { Sort = TrackSort.RecentlyAdded }, ct),
                        _ => tracks.ListAsync(new TrackQuery { Sort = TrackSort.Artist }, ct),
                    };
                    await foreach (var t in source)
                    {
                        if (max > 0 && count++ >= max)
                        {
                            break;
                        }

                        rows.Add(CliHost.TrackJson(t));
                        if (!context.Json)
                        {
                            Console.WriteLine(CliHost.TrackLine(t));
                        }
                    }

                    break;
            }

            if (context.Json)
            {
                CliContext.Print(rows);
            }
            else if (rows.Count == 0)
            {
                Console.WriteLine(kind == "search" ? "no track matches." : "the locker is empty.");
            }

            return CliExit.Ok;
        }));
        return command;
    }

    public static Command Get()
    {
        var track = new Argument<string>("track") { Description = "A track id, or words that match exactly one track." };
        var output = new Option<string>("--output", "-o") { Description = "The file to write (- for standard output).", Required = true };
        var range = new Option<string?>("--range") { Description = "Only these bytes: FIRST-LAST, FIRST- or -SUFFIX (as in an HTTP Range header)." };
        var force = new Option<bool>("--force") { Description = "Overwrite the output file when it exists." };
        var command = new Command("get", "Download a track: the original file, byte for byte, or a byte range of it.") { track, output, range, force };
        command.SetAction((parse, ct) => CliHost.RunAsync(parse, ct, async context =>
        {
            string target = parse.GetValue(output)!;
            var (offset, length) = ParseRange(parse.GetValue(range));
            bool toStdout = target == "-";
            if (!toStdout && File.Exists(target) && !parse.GetValue(force))
            {
                throw new CliException(CliExit.Usage, $"'{target}' exists; pass --force to overwrite it.");
            }

            await using var opened = await context.OpenAsync(create: false, ct);
            var found = await ResolveTrackAsync(opened.User, parse.GetValue(track)!, ct);
            if (offset is not null && offset.Value >= found.SizeBytes && found.SizeBytes > 0)
            {
                throw new CliException(CliExit.Usage, $"--range starts at byte {offset} but the track has {found.SizeBytes} bytes.");
            }

            long first = offset ?? 0;
            long? take = length;
            if (offset is null && length is not null)
            {
                // -SUFFIX: the last bytes.
                take = Math.Min(length.Value, found.SizeBytes);
                first = found.SizeBytes - take.Value;
            }

            long written;
            if (toStdout)
            {
                await using var stdout = Console.OpenStandardOutput();
                written = await CopyAsync(opened.User, found, first, take, stdout, ct);
            }
            else
            {
                // Write beside the target and rename: an interrupted download never leaves a partial file under the name.
                string full = Path.GetFullPath(target);
                string temp = full + ".part-" + Guid.NewGuid().ToString("N")[..8];
                try
                {
                    await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
                    {
                        written = await CopyAsync(opened.User, found, first, take, file, ct);
                    }

                    File.Move(temp, full, overwrite: true);
                }
                finally
                {
                    File.Delete(temp);
                }
            }

            if (context.Json)
            {
                CliContext.Print(new JsonObject { ["track"] = CliHost.TrackJson(found), ["output"] = target, ["offset"] = first, ["bytes"] = written });
            }
            else if (!toStdout)
            {
                Console.WriteLine($"{target}: {written:N0} bytes of \"{found.Tags.Title}\"{(written == found.SizeBytes ? " (the original, byte for byte)" : $" (bytes {first:N0}-{first + written - 1:N0})")}");
            }

            return CliExit.Ok;
        }));
        return command;
    }

    private static async Task<long> CopyAsync(IUserLocker user, LockerTrack track, long offset, long? length, Stream destination, CancellationToken ct)
    {
        if (offset == 0 && length is null)
        {
            return await user.Downloads.DownloadToAsync(track.Id, destination, cancellationToken: ct);
        }

        if (track.SizeBytes == 0 || length == 0)
        {
            return 0;
        }

        await using var content = await user.Downloads.OpenReadAsync(track.Id, offset, length is null ? null : Math.Min(length.Value, track.SizeBytes - offset), ct);
        await content.Content.CopyToAsync(destination, ct);
        return content.Length;
    }

    /// <summary>
    /// Parses <c>--range</c>: <c>FIRST-LAST</c>, <c>FIRST-</c> or <c>-SUFFIX</c>. Returns (offset, length); offset null with a
    /// length means a suffix. Every malformed or empty range is a usage error naming it.
    /// </summary>
    internal static (long? Offset, long? Length) ParseRange(string? text)
    {
        if (text is null)
        {
            return (null, null);
        }

        CliException Bad(string why) => new(CliExit.Usage, $"--range '{text}': {why} Use FIRST-LAST, FIRST- or -SUFFIX with byte numbers, e.g. 0-1023 or -65536.");
        int dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0 || text.IndexOf('-', dash + 1) >= 0)
        {
            throw Bad("not a range.");
        }

        static bool Number(ReadOnlySpan<char> s, out long value) =>
            long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);

        if (dash == 0)
        {
            if (!Number(text.AsSpan(1), out long suffix))
            {
                throw Bad("the suffix is not a byte count.");
            }

            return suffix == 0 ? throw Bad("a zero-byte suffix selects nothing.") : (null, suffix);
        }

        if (!Number(text.AsSpan(0, dash), out long first))
        {
            throw Bad("the first byte is not a number.");
        }

        if (dash == text.Length - 1)
        {
            return (first, null);
        }

        if (!Number(text.AsSpan(dash + 1), out long last))
        {
            throw Bad("the last byte is not a number.");
        }

        return last < first ? throw Bad("the last byte is before the first.") : (first, last - first + 1);
    }

    public static Command Remove()
    {
        var track = new Argument<string>("track") { Description = "A track id, or words that match exactly one track." };
        var command = new Command("rm", "Delete a track: its stored file, catalog entry, playlist entries, plays and quota charge.") { track };
        command.SetAction((parse, ct) => CliHost.RunAsync(parse, ct, async context =>
        {
            await using var opened = await context.OpenAsync(create: false, ct);
            var found = await ResolveTrackAsync(opened.User, parse.GetValue(track)!, ct);
            await opened.User.Tracks.DeleteAsync(found.Id, ct);
            if (context.Json)
            {
                CliContext.Print(new JsonObject { ["deleted"] = CliHost.TrackJson(found) });
            }
            else
            {
                Console.WriteLine($"deleted {found.Id} \"{found.Tags.Title}\" ({CliHost.Size(found.SizeBytes)} freed)");
            }

            return CliExit.Ok;
        }));
        return command;
    }

    public static Command Quota()
    {
        var command = new Command("quota", "The plan, how much is used and how much is left.");
        command.SetAction((parse, ct) => CliHost.RunAsync(parse, ct, async context =>
        {
            await using var opened = await context.OpenAsync(create: false, ct);
            var s = await opened.User.Quota.GetStatusAsync(ct);
            if (context.Json)
            {
                CliContext.Print(new JsonObject
                {
                    ["user"] = s.UserId, ["plan"] = s.Plan.Id, ["limitBytes"] = s.LimitBytes, ["usedBytes"] = s.UsedBytes,
                    ["reservedBytes"] = s.ReservedBytes, ["availableBytes"] = s.AvailableBytes,
                });
            }
            else
            {
                Console.WriteLine($"{s.UserId}: plan {s.Plan.Name} — {CliHost.Size(s.UsedBytes)} used of {CliHost.Size(s.LimitBytes)}, {CliHost.Size(s.AvailableBytes)} left{(s.ReservedBytes > 0 ? $" ({CliHost.Size(s.ReservedBytes)} reserved by uploads in progress)" : string.Empty)}");
            }

            return CliExit.Ok;
        }));
        return command;
    }

    public static Command History()
    {
        var state = new Argument<string?>("state") { Description = "on or off (off erases the history); without it, the latest plays.", DefaultValueFactory = _ => null };
        state.AcceptOnlyFromAmong("on", "off");
        var command = new Command("history", "Turn listening history on or off, or show the latest plays.") { state };
        command.SetAction((parse, ct) => CliHost.RunAsync(parse, ct, async context =>
        {
            string? value = parse.GetValue(state);
            await using var opened = await context.OpenAsync(create: value is not null, ct);
            if (value is null)
            {
                var plays = await opened.User.History.GetRecentlyPlayedAsync(50, ct);
                var account = await opened.User.Account.GetAsync(ct);
                if (context.Json)
                {
                    var rows = new JsonArray();
                    foreach (var p in plays)
                    {
                        rows.Add(new JsonObject { ["playedAt"] = p.PlayedAt.ToString("O", CultureInfo.InvariantCulture), ["track"] = CliHost.TrackJson(p.Track) });
                    }

                    CliContext.Print(new JsonObject { ["enabled"] = account.HistoryEnabled, ["plays"] = rows });
                }
                else
                {
                    Console.WriteLine($"history is {(account.HistoryEnabled ? "on" : "off")}");
                    foreach (var p in plays)
                    {
                        Console.WriteLine($"{p.PlayedAt:yyyy-MM-dd HH:mm}  {CliHost.TrackLine(p.Track)}");
                    }
                }

                return CliExit.Ok;
            }

            long erased = await opened.User.History.SetEnabledAsync(value == "on", ct);
            if (context.Json)
            {
                CliContext.Print(new JsonObject { ["enabled"] = value == "on", ["erasedPlays"] = erased });
            }
            else
            {
                Console.WriteLine(value == "on" ? "history is on" : $"history is off ({erased} play(s) erased)");
            }

            return CliExit.Ok;
        }));
        return command;
    }

    public static Command DeleteAccount()
    {
        var yes = new Option<bool>("--yes") { Description = "Confirm: the user's key is destroyed first, so nothing of the account can be read again." };
        var command = new Command("delete-account", "Delete the user's account: key (crypto-shredding), files, catalog, playlists, history, quota.") { yes };
        command.SetAction((parse, ct) => CliHost.RunAsync(parse, ct, async context =>
        {
            if (!parse.GetValue(yes))
            {
                throw new CliException(CliExit.Usage, $"deleting the account of '{context.Settings.User}' cannot be undone; run again with --yes to confirm.");
            }

            await using var opened = await context.OpenAsync(create: false, ct);
            var report = await opened.User.Account.DeleteAsync(ct);
            if (context.Json)
            {
                CliContext.Print(new JsonObject
                {
                    ["user"] = report.UserId, ["keyDestroyed"] = report.KeyDestroyed, ["objectsDeleted"] = report.ObjectsDeleted,
                    ["tracksDeleted"] = report.TracksDeleted, ["verified"] = report.Verified,
                });
            }
            else
            {
                Console.WriteLine($"deleted the account of '{report.UserId}': key destroyed, {report.TracksDeleted} track(s), {report.ObjectsDeleted} object(s); {(report.Verified ? "verified: nothing readable remains" : "NOT verified: run it again")}");
            }

            return report.Verified ? CliExit.Ok : CliExit.Failed;
        }));
        return command;
    }

    /// <summary>A track by id, or the one track whose title/artist/album match the words.</summary>
    public static async Task<LockerTrack> ResolveTrackAsync(IUserLocker user, string text, CancellationToken ct)
    {
        if (Guid.TryParse(text, out var id))
        {
            return await user.Tracks.GetAsync(id, ct);
        }

        var matches = new List<LockerTrack>();
        await foreach (var t in user.Tracks.SearchAsync(text, ct))
        {
            matches.Add(t);
            if (matches.Count > 5)
            {
                break;
            }
        }

        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new CliException(CliExit.NotFound, $"no track matches '{text}'; list them with `locker ls` or `locker ls search WORDS`."),
            _ => throw new CliException(CliExit.Usage, $"'{text}' matches {(matches.Count > 5 ? "more than 5" : matches.Count.ToString(CultureInfo.InvariantCulture))} tracks; use the track id (`locker ls search {text}` shows them)."),
        };
    }
}
