using System.Collections.Concurrent;
using System.CommandLine;
using System.Text.Json.Nodes;
using Locker.Cli.Cli;
using MusicLocker;
using Spectre.Console;

namespace Locker.Cli.Commands;

/// <summary><c>scan</c> and <c>upload</c>: what of a folder is not in the locker yet, and putting it there.</summary>
internal static class UploadCommands
{
    public static Command Scan()
    {
        var paths = new Argument<string[]>("path") { Description = "Folders (searched recursively) and files.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("scan", "Which MP3/AAC files are not in the locker yet (by content, nothing is uploaded), and whether they fit the quota.") { paths };
        command.SetAction((parse, ct) => CliHost.RunAsync(parse, ct, async context =>
        {
            var files = Expand(parse.GetValue(paths)!);
            await using var opened = await context.OpenAsync(create: false, ct);
            var result = await opened.User.Uploads.ScanAsync(files, ct);
            var fresh = result.Files.Where(f => f.IsNew).ToList();
            var present = result.Files.Where(f => f.ExistingTrackId is not null).ToList();
            var refused = result.Files.Where(f => f.Error is not null).ToList();
            long freshBytes = fresh.Sum(f => f.SizeBytes);
            if (context.Json)
            {
                var rows = new JsonArray();
                foreach (var f in result.Files)
                {
                    rows.Add(new JsonObject
                    {
                        ["path"] = f.Path, ["sizeBytes"] = f.SizeBytes, ["new"] = f.IsNew,
                        ["existingTrackId"] = f.ExistingTrackId?.ToString(), ["skipped"] = f.Error?.ToString(),
                    });
                }

                CliContext.Print(new JsonObject
                {
                    ["files"] = rows, ["newFiles"] = fresh.Count, ["newBytes"] = freshBytes, ["neededBytes"] = result.Quota.NeededBytes,
                    ["availableBytes"] = result.Quota.Status.AvailableBytes, ["fits"] = result.Quota.Fits,
                });
            }
            else
            {
                foreach (var f in refused)
                {
                    Console.WriteLine($"skipped  {f.Path}: {Reason(f.Error!.Value)}");
                }

                foreach (var f in fresh)
                {
                    Console.WriteLine($"new      {f.Path} ({CliHost.Size(f.SizeBytes)})");
                }

                Console.WriteLine($"{fresh.Count} new file(s), {CliHost.Size(freshBytes)}; {present.Count} already in the locker; {refused.Count} skipped.");
                Console.WriteLine($"quota: needs {CliHost.Size(result.Quota.NeededBytes)}, {CliHost.Size(result.Quota.Status.AvailableBytes)} left — {(result.Quota.Fits ? "they fit" : "they do NOT fit")}.");
            }

            return CliExit.Ok;
        }));
        return command;
    }

    public static Command Upload()
    {
        var paths = new Argument<string[]>("path") { Description = "Folders (searched recursively) and files.", Arity = ArgumentArity.OneOrMore };
        var parallel = new Option<int>("--parallel") { Description = "Files uploaded at once (1-16).", DefaultValueFactory = _ => 2 };
        var purchased = new Option<bool>("--purchased") { Description = "Mark the files purchased (they do not count against the quota)." };
        var maxRate = new Option<double?>("--max-rate") { Description = "Read the files at most this many MB/s in all (keeps a link or a disk usable while a library uploads)." };
        var command = new Command("upload", "Upload MP3/AAC files: deduplicated, encrypted, resumable (Ctrl+C pauses; run it again to resume).") { paths, parallel, purchased, maxRate };
        command.SetAction((parse, ct) => CliHost.RunAsync(parse, ct, async context =>
        {
            int width = parse.GetValue(parallel);
            if (width is < 1 or > 16)
            {
                throw new CliException(CliExit.Usage, "--parallel must be 1 to 16.");
            }

            double? rate = parse.GetValue(maxRate);
            if (rate is { } r && !(r > 0 && r <= 1e6))
            {
                throw new CliException(CliExit.Usage, "--max-rate must be a number of MB/s above 0.");
            }

            var files = Expand(parse.GetValue(paths)!);
            await using var opened = await context.OpenAsync(create: true, ct);
            var pending = await opened.User.Uploads.ListPendingAsync(ct);
            var options = new UploadOptions { IsPurchased = parse.GetValue(purchased) };
            var outcomes = new ConcurrentDictionary<string, FileOutcome>(StringComparer.Ordinal);
            bool live = !context.Json && AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;
            long totalBytes = files.Sum(f => new FileInfo(f).Length);

            async Task RunOne(string file, IProgress<UploadProgress>? progress, CancellationToken token)
            {
                if (rate is { } total)
                {
                    progress = new RateLimit(total * 1_000_000 / width, progress, token);
                }

                outcomes[file] = await UploadOneAsync(opened.User, file, pending, options, progress, token);
                if (!live && !context.Json)
                {
                    Console.WriteLine(outcomes[file].Line(file));
                }
            }

            try
            {
                if (live)
                {
                    await AnsiConsole.Progress()
                        .AutoClear(false)
                        .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
                        .StartAsync(async progressContext =>
                        {
                            var overall = progressContext.AddTask($"[bold]all {files.Count} file(s)[/]", maxValue: Math.Max(1, totalBytes));
                            var done = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
                            await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = width, CancellationToken = ct }, async (file, token) =>
                            {
                                var task = progressContext.AddTask(Markup.Escape(Shorten(Path.GetFileName(file))), maxValue: Math.Max(1, new FileInfo(file).Length));
                                var progress = new SyncProgress(p =>
                                {
                                    task.Value = p.BytesTransferred;
                                    done[file] = p.BytesTransferred;
                                    overall.Value = done.Values.Sum();
                                });
                                await RunOne(file, progress, token);
                                task.Value = task.MaxValue;
                                task.StopTask();
                                done[file] = new FileInfo(file).Length;
                                overall.Value = done.Values.Sum();
                            });
                            overall.StopTask();
                        });
                    foreach (var file in files)
                    {
                        Console.WriteLine(outcomes[file].Line(file));
                    }
                }
                else
                {
                    await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = width, CancellationToken = ct }, (file, token) => new ValueTask(RunOne(file, null, token)));
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                int left = files.Count(f => !outcomes.ContainsKey(f));
                await Console.Error.WriteLineAsync($"locker: paused with {left} file(s) not finished; run the same command again to resume (stored parts are kept).");
                return CliExit.Interrupted;
            }

            int uploaded = outcomes.Values.Count(o => o.Kind == "uploaded");
            int duplicates = outcomes.Values.Count(o => o.Kind is "duplicate" or "retagged");
            int skipped = outcomes.Values.Count(o => o.Kind == "skipped");
            int failed = outcomes.Values.Count(o => o.Kind == "failed");
            if (context.Json)
            {
                var rows = new JsonArray();
                foreach (var file in files)
                {
                    rows.Add(outcomes[file].Json(file));
                }

                CliContext.Print(new JsonObject { ["files"] = rows, ["uploaded"] = uploaded, ["alreadyThere"] = duplicates, ["skipped"] = skipped, ["failed"] = failed });
            }
            else
            {
                Console.WriteLine($"{uploaded} uploaded, {duplicates} already in the locker, {skipped} skipped, {failed} failed.");
            }

            return failed == 0 ? CliExit.Ok
                : outcomes.Values.Any(o => o.Kind == "failed" && o.Code == LockerErrorCode.QuotaExceeded) && failed == outcomes.Values.Count(o => o.Kind == "failed" && o.Code == LockerErrorCode.QuotaExceeded) ? CliExit.QuotaExceeded
                : CliExit.Partial;
        }));
        return command;
    }

    private static async Task<FileOutcome> UploadOneAsync(IUserLocker user, string file, IReadOnlyList<PendingUpload> pending, UploadOptions options, IProgress<UploadProgress>? progress, CancellationToken ct)
    {
        try
        {
            long size = new FileInfo(file).Length;
            string name = Path.GetFileName(file);
            UploadResult? result = null;
            foreach (var p in pending.Where(p => Path.GetFileName(p.FileName) == name && p.TotalBytes == size))
            {
                try
                {
                    result = await user.Uploads.ResumeAsync(p.Id, file, options, progress, ct);
                    break;
                }
                catch (LockerException ex) when (ex.ErrorCode is LockerErrorCode.SourceChanged or LockerErrorCode.UploadNotFound)
                {
                    // Another file of the same name and size: not this one's upload.
                }
            }

            result ??= await user.Uploads.UploadFileAsync(file, options, progress, ct);
            string kind = result.Outcome switch
            {
                UploadOutcome.Stored => "uploaded",
                UploadOutcome.Retagged => "retagged",
                _ => "duplicate",
            };
            return new FileOutcome(kind, result.Track, null, null);
        }
        catch (LockerException ex) when (IsRefusal(ex.ErrorCode))
        {
            return new FileOutcome("skipped", null, ex.ErrorCode, Reason(ex.ErrorCode));
        }
        catch (LockerException ex)
        {
            return new FileOutcome("failed", null, ex.ErrorCode, ex.Message);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new FileOutcome("failed", null, LockerErrorCode.FileUnreadable, ex.Message);
        }
    }

    private static bool IsRefusal(LockerErrorCode code) => code is LockerErrorCode.UnsupportedFormat or LockerErrorCode.DrmProtected
        or LockerErrorCode.EmptyFile or LockerErrorCode.CorruptFile or LockerErrorCode.FileTooComplex;

    internal static string Reason(LockerErrorCode code) => code switch
    {
        LockerErrorCode.UnsupportedFormat => "not an MP3 or AAC file (UnsupportedFormat)",
        LockerErrorCode.DrmProtected => "DRM-protected (DrmProtected)",
        LockerErrorCode.EmptyFile => "empty (EmptyFile)",
        LockerErrorCode.CorruptFile => "damaged: no playable audio (CorruptFile)",
        LockerErrorCode.FileTooComplex => "too complex to index (FileTooComplex)",
        LockerErrorCode.FileUnreadable => "unreadable (FileUnreadable)",
        _ => code.ToString(),
    };

    /// <summary>Files and folders (recursively, hidden entries skipped) → the files, in a stable order; missing paths are a usage error.</summary>
    internal static List<string> Expand(string[] paths)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (File.Exists(path))
            {
                files.Add(Path.GetFullPath(path));
            }
            else if (Directory.Exists(path))
            {
                var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.Hidden | FileAttributes.System, IgnoreInaccessible = true };
                var found = Directory.EnumerateFiles(path, "*", options).Select(Path.GetFullPath).ToList();
                found.Sort(StringComparer.Ordinal);
                files.AddRange(found);
            }
            else
            {
                throw new CliException(CliExit.NotFound, $"'{path}' is neither a file nor a folder.");
            }
        }

        return files.Distinct(StringComparer.Ordinal).ToList();
    }

    private static string Shorten(string name) => name.Length <= 40 ? name : name[..18] + "…" + name[^18..];

    private sealed record FileOutcome(string Kind, LockerTrack? Track, LockerErrorCode? Code, string? Reason)
    {
        public string Line(string file) => Kind switch
        {
            "uploaded" => $"uploaded   {file} → {Track!.Id} \"{Track.Tags.Title}\" ({CliHost.Size(Track.SizeBytes)})",
            "duplicate" => $"duplicate  {file} → {Track!.Id} (already in the locker: nothing stored)",
            "retagged" => $"retagged   {file} → {Track!.Id} (same audio: tags updated, nothing stored)",
            "skipped" => $"skipped    {file}: {Reason}",
            _ => $"failed     {file}: {Reason} [{Code}]",
        };

        public JsonObject Json(string file) => new()
        {
            ["path"] = file,
            ["outcome"] = Kind,
            ["track"] = Track is null ? null : CliHost.TrackJson(Track),
            ["error"] = Code?.ToString(),
            ["reason"] = Reason,
        };
    }

    /// <summary>
    /// <c>--max-rate</c>: the locker reports progress on its own thread after each stored part, before it reads the next,
    /// so holding the report back until the bytes so far fit the rate paces the upload. A cancelled token (Ctrl+C) ends
    /// the wait at once, and the upload then pauses before its next part.
    /// </summary>
    private sealed class RateLimit(double bytesPerSecond, IProgress<UploadProgress>? inner, CancellationToken cancellationToken) : IProgress<UploadProgress>
    {
        private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

        public void Report(UploadProgress value)
        {
            inner?.Report(value);
            var due = TimeSpan.FromSeconds(value.BytesTransferred / bytesPerSecond) - _clock.Elapsed;
            if (due > TimeSpan.Zero)
            {
                cancellationToken.WaitHandle.WaitOne(due);
            }
        }
    }

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; would post to the thread pool and reorder).</summary>
    private sealed class SyncProgress(Action<UploadProgress> report) : IProgress<UploadProgress>
    {
        public void Report(UploadProgress value) => report(value);
    }
}
