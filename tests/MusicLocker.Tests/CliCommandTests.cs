using System.Text.Json;
using MusicLocker.Testing;

namespace MusicLocker.Tests;

/// <summary>The <c>locker</c> sample as a script would drive it: verbs, --json output, exit codes, one-line errors.</summary>
public sealed class CliCommandTests
{
    private static Task<(int ExitCode, string Output)> RunIn(string folder, params string[] args) => LockerCli.RunAsync(folder, args);

    private static string MusicFolder(TempFolder folder)
    {
        string music = Path.Combine(folder.Path, "music");
        Directory.CreateDirectory(Path.Combine(music, "sub"));
        File.Copy(AudioFiles.Mp3("vbr-xing-lame.mp3"), Path.Combine(music, "a.mp3"));
        File.Copy(AudioFiles.Mp3("vbri.mp3"), Path.Combine(music, "sub", "b.mp3"));
        File.Copy(AudioFiles.M4a("faststart-tagged.m4a"), Path.Combine(music, "c.m4a"));
        File.Copy(AudioFiles.Other("sine.flac"), Path.Combine(music, "d.flac"));
        File.Copy(AudioFiles.Other("cover.png"), Path.Combine(music, "cover.png"));
        return music;
    }

    private static JsonElement Json(string output)
    {
        using var doc = JsonDocument.Parse(output);
        return doc.RootElement.Clone();
    }

    [Fact]
    public async Task A_read_command_without_a_locker_fails_with_exit_3_and_creates_nothing()
    {
        using var folder = new TempFolder();
        string typo = Path.Combine(folder.Path, "typo", "deeper");

        foreach (var args in new[] { new[] { "ls", "--root", typo }, ["quota", "--root", typo], ["get", "x", "-o", "y", "--root", typo], ["playlist", "ls", "--root", typo], ["scan", folder.Path, "--root", typo] })
        {
            var (exit, output) = await RunIn(folder.Path, args);
            Assert.True(exit == 3, string.Join(' ', args) + ": " + output);
            Assert.Contains("there is no locker at", output, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        }

        Assert.False(Directory.Exists(Path.Combine(folder.Path, "typo")));
        Assert.False(Directory.Exists(Path.Combine(folder.Path, "locker-data")));
    }

    [Theory]
    [InlineData("5-2", "the last byte is before the first")]
    [InlineData("-0", "a zero-byte suffix selects nothing")]
    [InlineData("abc", "not a range")]
    [InlineData("1-2-3", "not a range")]
    [InlineData("x-5", "the first byte is not a number")]
    [InlineData("-99999999999999999999", "the suffix is not a byte count")]
    public async Task A_bad_range_is_a_usage_error_naming_it_not_a_stack_trace(string range, string why)
    {
        using var folder = new TempFolder();
        var (exit, output) = await RunIn(folder.Path, "get", "x", "-o", "out.mp3", "--range", range);

        Assert.Equal(2, exit);
        Assert.Contains($"--range '{range}': {why}", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(folder.Path, "out.mp3")));
    }

    [Fact]
    public async Task Usage_errors_are_one_line_each_with_exit_2()
    {
        using var folder = new TempFolder();

        var (unknown, unknownOutput) = await RunIn(folder.Path, "frobnicate");
        var (missing, missingOutput) = await RunIn(folder.Path, "get");
        var (none, noneOutput) = await RunIn(folder.Path);

        Assert.Equal(2, unknown);
        Assert.Contains("Unrecognized command or argument 'frobnicate'", unknownOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("Required command was not provided", unknownOutput, StringComparison.Ordinal);
        Assert.Equal(2, missing);
        var lines = missingOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(lines.Length, lines.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(2, none);
        Assert.Contains("say what to do", noneOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_scan_ls_get_playlist_quota_history_and_delete_account_round_trip_with_json()
    {
        using var folder = new TempFolder();
        string music = MusicFolder(folder);

        var (scanMissing, _) = await RunIn(folder.Path, "scan", music);
        Assert.Equal(3, scanMissing); // no locker yet: scan is a read command

        var (exit, output) = await RunIn(folder.Path, "upload", music, "--json");
        Assert.True(exit == 0, output);
        var upload = Json(output);
        Assert.Equal(3, upload.GetProperty("uploaded").GetInt32());
        Assert.Equal(2, upload.GetProperty("skipped").GetInt32());
        var outcomes = upload.GetProperty("files").EnumerateArray().ToDictionary(f => Path.GetFileName(f.GetProperty("path").GetString()!), f => f);
        Assert.Equal("skipped", outcomes["d.flac"].GetProperty("outcome").GetString());
        Assert.Equal("UnsupportedFormat", outcomes["d.flac"].GetProperty("error").GetString());
        Assert.Equal("skipped", outcomes["cover.png"].GetProperty("outcome").GetString());

        var (again, againOutput) = await RunIn(folder.Path, "upload", music, "--json");
        Assert.True(again == 0, againOutput);
        Assert.Equal(0, Json(againOutput).GetProperty("uploaded").GetInt32());
        Assert.Equal(3, Json(againOutput).GetProperty("alreadyThere").GetInt32());

        var (scan, scanOutput) = await RunIn(folder.Path, "scan", music, "--json");
        Assert.True(scan == 0, scanOutput);
        Assert.Equal(0, Json(scanOutput).GetProperty("newFiles").GetInt32());
        Assert.True(Json(scanOutput).GetProperty("fits").GetBoolean());

        var (ls, lsOutput) = await RunIn(folder.Path, "ls", "--json");
        Assert.True(ls == 0, lsOutput);
        var tracks = Json(lsOutput).EnumerateArray().ToList();
        Assert.Equal(3, tracks.Count);
        var a = tracks.Single(t => t.GetProperty("contentHash").GetString() == Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(music, "a.mp3")))));
        string id = a.GetProperty("id").GetString()!;

        var (get, getOutput) = await RunIn(folder.Path, "get", id, "-o", "a-copy.mp3");
        Assert.True(get == 0, getOutput);
        Assert.Equal(File.ReadAllBytes(Path.Combine(music, "a.mp3")), File.ReadAllBytes(Path.Combine(folder.Path, "a-copy.mp3")));
        var (overwrite, overwriteOutput) = await RunIn(folder.Path, "get", id, "-o", "a-copy.mp3");
        Assert.Equal(2, overwrite);
        Assert.Contains("--force", overwriteOutput, StringComparison.Ordinal);

        var (range, rangeOutput) = await RunIn(folder.Path, "get", id, "-o", "a-range.bin", "--range", "100-1123");
        Assert.True(range == 0, rangeOutput);
        Assert.Equal(File.ReadAllBytes(Path.Combine(music, "a.mp3")).AsSpan(100, 1024).ToArray(), File.ReadAllBytes(Path.Combine(folder.Path, "a-range.bin")));
        var (suffix, suffixOutput) = await RunIn(folder.Path, "get", id, "-o", "a-suffix.bin", "--range", "-500");
        Assert.True(suffix == 0, suffixOutput);
        Assert.Equal(File.ReadAllBytes(Path.Combine(music, "a.mp3"))[^500..], File.ReadAllBytes(Path.Combine(folder.Path, "a-suffix.bin")));
        var (past, pastOutput) = await RunIn(folder.Path, "get", id, "-o", "a-past.bin", "--range", "99999999-");
        Assert.Equal(2, past);
        Assert.False(File.Exists(Path.Combine(folder.Path, "a-past.bin")), pastOutput);

        var (notFound, notFoundOutput) = await RunIn(folder.Path, "get", Guid.NewGuid().ToString(), "-o", "x.mp3");
        Assert.Equal(3, notFound);
        Assert.Contains("TrackNotFound", notFoundOutput, StringComparison.Ordinal);

        var (create, createOutput) = await RunIn(folder.Path, "playlist", "create", "Road trip", "--json");
        Assert.True(create == 0, createOutput);
        var (add, addOutput) = await RunIn(folder.Path, "playlist", "add", "Road trip", id, id);
        Assert.True(add == 0, addOutput);
        var (show, showOutput) = await RunIn(folder.Path, "playlist", "show", "Road trip", "--json");
        Assert.True(show == 0, showOutput);
        Assert.Equal(2, Json(showOutput).GetProperty("tracks").GetArrayLength());
        var (remove, removeOutput) = await RunIn(folder.Path, "playlist", "remove", "Road trip", "3");
        Assert.Equal(3, remove);
        Assert.Contains("there is no number 3", removeOutput, StringComparison.Ordinal);

        var (quota, quotaOutput) = await RunIn(folder.Path, "quota", "--json");
        Assert.True(quota == 0, quotaOutput);
        long used = Json(quotaOutput).GetProperty("usedBytes").GetInt64();
        Assert.Equal(tracks.Sum(t => t.GetProperty("chargedBytes").GetInt64()), used);

        var (export, exportOutput) = await RunIn(folder.Path, "export", "--zip", "export.zip", "--json");
        Assert.True(export == 0, exportOutput);
        Assert.Equal(3, Json(exportOutput).GetProperty("tracks").GetInt32());
        using (var archive = System.IO.Compression.ZipFile.OpenRead(Path.Combine(folder.Path, "export.zip")))
        {
            Assert.Contains(archive.Entries, e => e.Name.EndsWith(".m3u8", StringComparison.Ordinal));
            var originals = archive.Entries.Where(e => e.Name.EndsWith(".mp3", StringComparison.Ordinal)).Select(e =>
            {
                using var s = e.Open();
                return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(s));
            }).ToHashSet();
            Assert.Contains(a.GetProperty("contentHash").GetString()!, originals);
        }

        var (exportAgain, exportAgainOutput) = await RunIn(folder.Path, "export", "--zip", "export.zip");
        Assert.Equal(2, exportAgain);
        Assert.Contains("exists", exportAgainOutput, StringComparison.Ordinal);

        var (historyOff, historyOffOutput) = await RunIn(folder.Path, "history", "off", "--json");
        Assert.True(historyOff == 0, historyOffOutput);
        Assert.False(Json(historyOffOutput).GetProperty("enabled").GetBoolean());

        var (rm, rmOutput) = await RunIn(folder.Path, "rm", id);
        Assert.True(rm == 0, rmOutput);
        var (quotaAfter, quotaAfterOutput) = await RunIn(folder.Path, "quota", "--json");
        Assert.True(quotaAfter == 0, quotaAfterOutput);
        Assert.Equal(used - a.GetProperty("chargedBytes").GetInt64(), Json(quotaAfterOutput).GetProperty("usedBytes").GetInt64());

        var (unconfirmed, unconfirmedOutput) = await RunIn(folder.Path, "delete-account");
        Assert.Equal(2, unconfirmed);
        Assert.Contains("--yes", unconfirmedOutput, StringComparison.Ordinal);
        var (delete, deleteOutput) = await RunIn(folder.Path, "delete-account", "--yes", "--json");
        Assert.True(delete == 0, deleteOutput);
        Assert.True(Json(deleteOutput).GetProperty("verified").GetBoolean());
    }

    [Fact]
    public async Task Users_are_isolated_and_settings_come_from_the_file_then_the_environment_then_the_command_line()
    {
        using var folder = new TempFolder();
        string music = MusicFolder(folder);
        string configFolder = Path.Combine(folder.Path, "conf");
        Directory.CreateDirectory(configFolder);
        File.WriteAllText(Path.Combine(configFolder, "locker.json"), """{ "root": "../data", "user": "alice" }""");

        // The file (found in the working directory) names the root, relative to itself, and the user.
        var (add, addOutput) = await RunIn(configFolder, "user", "add", "bob", "--json");
        Assert.True(add == 0, addOutput);
        var (upload, uploadOutput) = await RunIn(configFolder, "upload", Path.Combine(music, "a.mp3"));
        Assert.True(upload == 0, uploadOutput);
        Assert.True(File.Exists(Path.Combine(folder.Path, "data", Locker.EmbeddedDatabaseFile)));

        // The environment overrides the file's user; the command line overrides the environment.
        var env = new Dictionary<string, string?> { ["LOCKER_USER"] = "bob" };
        var (bobLs, bobOutput) = await LockerCli.RunAsync(configFolder, env, "ls", "--json");
        Assert.True(bobLs == 0, bobOutput);
        Assert.Equal(0, Json(bobOutput).GetArrayLength());
        var (aliceLs, aliceOutput) = await LockerCli.RunAsync(configFolder, env, "ls", "--json", "--user", "alice");
        Assert.True(aliceLs == 0, aliceOutput);
        Assert.Equal(1, Json(aliceOutput).GetArrayLength());
        string aliceTrack = Json(aliceOutput)[0].GetProperty("id").GetString()!;

        // Bob cannot read, delete or even learn of Alice's track by its id.
        var (bobGet, bobGetOutput) = await LockerCli.RunAsync(configFolder, env, "get", aliceTrack, "-o", "stolen.mp3");
        Assert.Equal(3, bobGet);
        Assert.Contains("TrackNotFound", bobGetOutput, StringComparison.Ordinal);
        var (bobRm, _) = await LockerCli.RunAsync(configFolder, env, "rm", aliceTrack);
        Assert.Equal(3, bobRm);

        // A named configuration file that does not exist, or is malformed, is a usage error.
        var (missing, missingOutput) = await RunIn(folder.Path, "ls", "--config", "nope.json");
        Assert.Equal(2, missing);
        Assert.Contains("nope.json", missingOutput, StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(folder.Path, "bad.json"), "{ \"root\": 5 }");
        var (bad, badOutput) = await RunIn(folder.Path, "ls", "--config", "bad.json");
        Assert.Equal(2, bad);
        Assert.Contains("'root' in 'bad.json' must be a string", badOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_copies_and_verifies_every_object_repairs_a_bad_copy_and_switches_the_configuration()
    {
        using var folder = new TempFolder();
        string music = MusicFolder(folder);
        File.WriteAllText(Path.Combine(folder.Path, "locker.json"), """{ "root": "data" }""");
        var (upload, uploadOutput) = await RunIn(folder.Path, "upload", music);
        Assert.True(upload == 0, uploadOutput);
        string original = Path.Combine(folder.Path, "data", Locker.EmbeddedBlobFolder);
        string target = Path.Combine(folder.Path, "new-objects");

        // A first pass copies without switching; then one copy is damaged, as an interrupted or tampered run would leave it.
        var (first, firstOutput) = await RunIn(folder.Path, "migrate", "--to", "fs:" + target, "--no-switch", "--json");
        Assert.True(first == 0, firstOutput);
        int objects = Json(firstOutput).GetProperty("objects").GetInt32();
        Assert.True(objects >= 3, firstOutput);
        Assert.Equal(objects, Json(firstOutput).GetProperty("copied").GetInt32());
        Assert.DoesNotContain("new-objects", File.ReadAllText(Path.Combine(folder.Path, "locker.json")), StringComparison.Ordinal);
        var damaged = Directory.EnumerateFiles(target, "*", SearchOption.AllDirectories).OrderByDescending(f => new FileInfo(f).Length).First();
        var bytes = File.ReadAllBytes(damaged);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(damaged, bytes);

        var (second, secondOutput) = await RunIn(folder.Path, "migrate", "--to", "fs:" + target, "--json");
        Assert.True(second == 0, secondOutput);
        Assert.Equal(objects, Json(secondOutput).GetProperty("objects").GetInt32());
        Assert.Equal(1, Json(secondOutput).GetProperty("copied").GetInt32());
        Assert.Contains("new-objects", File.ReadAllText(Path.Combine(folder.Path, "locker.json")), StringComparison.Ordinal);

        // The locker now reads from the new backend: move the old objects away and every track still downloads intact.
        Directory.Move(original, original + "-old");
        var (ls, lsOutput) = await RunIn(folder.Path, "ls", "--json");
        Assert.True(ls == 0, lsOutput);
        foreach (var track in Json(lsOutput).EnumerateArray())
        {
            string copy = Path.Combine(folder.Path, track.GetProperty("id").GetString() + ".out");
            var (get, getOutput) = await RunIn(folder.Path, "get", track.GetProperty("id").GetString()!, "-o", copy);
            Assert.True(get == 0, getOutput);
            Assert.Equal(track.GetProperty("contentHash").GetString(), Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(copy))));
        }

        var (same, sameOutput) = await RunIn(folder.Path, "migrate", "--to", "fs:" + target);
        Assert.Equal(2, same);
        Assert.Contains("already in use", sameOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ctrl_C_pauses_an_upload_with_exit_130_and_running_it_again_resumes_to_an_identical_track()
    {
        TestEnvironment.RequireServer(TestEnvironment.HasExecutable("ffmpeg"), "ffmpeg is not installed (tests/install-prerequisites.sh installs it)");
        using var folder = new TempFolder();
        string music = Path.Combine(folder.Path, "music");
        Directory.CreateDirectory(music);
        string big = Path.Combine(music, "long.mp3");
        await WriteLongMp3Async(folder.Path, big, minimumBytes: 120_000_000);

        string root = Path.Combine(folder.Path, "locker-data");

        // The signal races the upload: a child that stores its last part before the signal lands finishes (exit 0),
        // which is right but proves nothing. Such an attempt starts over on a new locker; one of a few must pause.
        var missed = new List<string>();
        while (true)
        {
            var (paused, output) = await UploadAndInterruptAsync(folder.Path, root, big);
            if (paused)
            {
                Assert.True(output.ExitCode == 130, output.Text);
                Assert.Contains("run the same command again to resume", output.Text, StringComparison.Ordinal);
                break;
            }

            missed.Add($"exit {output.ExitCode}: {output.Text}");
            Assert.True(missed.Count < 4, "the upload finished before the signal in every attempt:\n" + string.Join("\n", missed));
            Directory.Delete(root, recursive: true);
        }

        await using (var locker = await Locker.OpenEmbeddedAsync(root, cancellationToken: TestContext.Current.CancellationToken))
        {
            var pending = Assert.Single(await locker.ForUser("me").Uploads.ListPendingAsync(TestContext.Current.CancellationToken));
            Assert.True(pending.StoredBytes > 0);
        }

        var (again, againOutput) = await RunIn(folder.Path, "upload", big, "--json");
        Assert.True(again == 0, againOutput);
        var track = Json(againOutput).GetProperty("files")[0].GetProperty("track");
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(big))), track.GetProperty("contentHash").GetString());
        await using (var locker = await Locker.OpenEmbeddedAsync(root, cancellationToken: TestContext.Current.CancellationToken))
        {
            Assert.Empty(await locker.ForUser("me").Uploads.ListPendingAsync(TestContext.Current.CancellationToken));
            var status = await locker.ForUser("me").Quota.GetStatusAsync(TestContext.Current.CancellationToken);
            Assert.Equal(new FileInfo(big).Length, status.UsedBytes);
            Assert.Equal(0, status.ReservedBytes);
        }
    }

    /// <summary>
    /// Runs <c>upload</c> in a child and sends it SIGINT once the locker shows a stored part (one probe, opened as soon as
    /// the child has created the locker, polled). Paused = the child was signalled and did not finish the upload.
    /// </summary>
    private static async Task<(bool Paused, (int ExitCode, string Text) Output)> UploadAndInterruptAsync(string work, string root, string file)
    {
        var ct = TestContext.Current.CancellationToken;
        using var child = LockerCli.Start(work, "upload", file, "--json", "--max-rate", "20"); // ≥ 6 s for 120 MB: time to see a part and signal
        var stdout = child.StandardOutput.ReadToEndAsync(ct);
        var stderr = child.StandardError.ReadToEndAsync(ct);
        bool signalled = false;
        ILocker? probe = null;
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (!child.HasExited && clock.Elapsed < TimeSpan.FromMinutes(3))
            {
                if (probe is null && File.Exists(Path.Combine(root, Locker.EmbeddedDatabaseFile)) && File.Exists(Path.Combine(root, Locker.EmbeddedKeyRingFile)))
                {
                    try
                    {
                        probe = await Locker.OpenEmbeddedAsync(root, cancellationToken: ct);
                    }
                    catch (LockerException)
                    {
                        // The child may still be creating the locker: look again.
                    }
                }

                if (probe is not null && (await probe.ForUser("me").Uploads.ListPendingAsync(ct)).Any(p => p.StoredBytes > 0))
                {
                    using var kill = System.Diagnostics.Process.Start("kill", ["-INT", child.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                    await kill.WaitForExitAsync(ct);
                    signalled = true;
                    break;
                }

                await Task.Delay(20, ct);
            }
        }
        finally
        {
            if (probe is not null)
            {
                await probe.DisposeAsync();
            }
        }

        await child.WaitForExitAsync(ct);
        string text = await stdout + await stderr;
        return (signalled && child.ExitCode != 0, (child.ExitCode, text));
    }

    /// <summary>A long CBR MP3 made fast: a minute from ffmpeg with no header or tag, repeated (frames concatenate).</summary>
    private static async Task WriteLongMp3Async(string work, string path, long minimumBytes)
    {
        string minute = Path.Combine(work, "minute.mp3");
        var start = new System.Diagnostics.ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "-nostdin", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:duration=60", "-ac", "2", "-c:a", "libmp3lame", "-b:a", "320k", "-write_xing", "0", "-id3v2_version", "0", minute })
        {
            start.ArgumentList.Add(a);
        }

        using (var ffmpeg = System.Diagnostics.Process.Start(start)!)
        {
            var err = ffmpeg.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            await ffmpeg.WaitForExitAsync(TestContext.Current.CancellationToken);
            Assert.True(ffmpeg.ExitCode == 0, await err);
        }

        byte[] frames = await File.ReadAllBytesAsync(minute, TestContext.Current.CancellationToken);
        await using var output = File.Create(path);
        while (output.Length < minimumBytes)
        {
            await output.WriteAsync(frames, TestContext.Current.CancellationToken);
        }
    }
}
