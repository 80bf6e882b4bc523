using System.Diagnostics;
using MusicLocker.Testing;

namespace MusicLocker.Tests;

/// <summary>
/// The upload runs in a child process (this test assembly, running only <see cref="KilledUploadChild.Upload"/>) that is
/// killed at a random point: after a random one of its progress events, plus a random few milliseconds. Then a new
/// process (this one) resumes the pending upload or leaves it, reservations expire and the sweep runs. Every trial ends
/// with a complete, byte-identical track or nothing, and ledger == storage.
/// </summary>
public sealed class KilledUploadTests
{
    private const int Trials = 52;

    private static readonly string[] Files = ["mp3/id3v23-unsync.mp3", "mp3/big-cover.mp3", "m4a/moov-at-end.m4a"];

    [Fact]
    public async Task An_upload_killed_at_random_points_ends_in_the_whole_track_or_nothing_and_ledger_equals_storage()
    {
        var ct = TestContext.Current.CancellationToken;
        var random = new Random(20261202);
        var outcomes = new Dictionary<string, int>();
        for (int trial = 0; trial < Trials; trial++)
        {
            string file = Path.Combine(AudioFiles.Root, Files[trial % Files.Length]);
            int parts = (int)((new FileInfo(file).Length + (16 * 1024) - 1) / (16 * 1024));
            int killAfter = random.Next(0, parts + 2); // 0: right after opening; parts + 1: after the upload returned
            int jitterMs = random.Next(0, 4);
            bool resume = random.Next(2) == 0;
            string outcome = await RunTrialAsync(file, killAfter, jitterMs, resume, ct);
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        // The kill points must have reached both endings, or the test proves little.
        Assert.True(outcomes.GetValueOrDefault("track") > 0 && outcomes.GetValueOrDefault("nothing") > 0, string.Join(", ", outcomes));
    }

    private static async Task<string> RunTrialAsync(string file, int killAfter, int jitterMs, bool resume, CancellationToken ct)
    {
        using var folder = new TempFolder();
        string where = $"{Path.GetFileName(file)}, killed after event {killAfter} + {jitterMs} ms, resume {resume}";
        await KillChildAsync(folder.Path, file, killAfter, jitterMs, ct);

        var test = await LockerUnderTest.OpenAsync(folder.Path, StorageKind.FileSystem);
        await using var _ = test;
        var user = test.Locker.ForUser("alice");
        var pending = await user.Uploads.ListPendingAsync(ct);
        Assert.True(pending.Count <= 1, where);
        if (resume && pending.Count == 1)
        {
            var result = await user.Uploads.ResumeAsync(pending[0].Id, file, cancellationToken: ct);
            Assert.True(result.Outcome is UploadOutcome.Stored or UploadOutcome.Duplicate, $"{where}: {result.Outcome}");
        }

        test.Clock.Advance(test.Options.StaleUploadAge + test.Options.ReservationLifetime + TimeSpan.FromMinutes(1));
        await test.Locker.SweepAsync(ct);

        byte[] original = await File.ReadAllBytesAsync(file, ct);
        return await LedgerCheck.WholeTrackOrNothingAsync(user, await test.UserObjectsAsync(), original, where) ? "track" : "nothing";
    }

    /// <summary>Starts the child on <paramref name="folder"/> and kills it after its <paramref name="killAfter"/>-th event.</summary>
    private static async Task KillChildAsync(string folder, string file, int killAfter, int jitterMs, CancellationToken ct)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(typeof(KilledUploadChild).Assembly.Location);
        foreach (string arg in new[] { "-method", typeof(KilledUploadChild).FullName + "." + nameof(KilledUploadChild.Upload), "-explicit", "only", "-noLogo", "-parallel", "none" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment[KilledUploadChild.FolderVariable] = folder;
        start.Environment[KilledUploadChild.FileVariable] = file;
        start.Environment[Metadata.Tests.Servers.PostgresServer.NoServerVariable] = "1"; // killed below: no server of its own to orphan
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync(ct);
        int events = 0;
        string? line;
        var seen = new List<string>();
        while ((line = await process.StandardOutput.ReadLineAsync(ct)) is not null)
        {
            seen.Add(line);
            if (!line.StartsWith(KilledUploadChild.EventPrefix, StringComparison.Ordinal) || events++ < killAfter)
            {
                continue;
            }

            if (jitterMs > 0)
            {
                await Task.Delay(jitterMs, ct); // a random kill point a little past the event, not a wait for anything
            }

            process.Kill(entireProcessTree: true);
            break;
        }

        await process.WaitForExitAsync(ct);
        string stderr = await errors;
        Assert.True(events > 0, $"the child never started its upload:\n{string.Join('\n', seen)}\n{stderr}");
    }
}

/// <summary>The child process of <see cref="KilledUploadTests"/>: explicit, so only that test runs it.</summary>
public sealed class KilledUploadChild
{
    internal const string FolderVariable = "MUSICLOCKER_KILL_CHILD_FOLDER";
    internal const string FileVariable = "MUSICLOCKER_KILL_CHILD_FILE";
    internal const string EventPrefix = "KILL-CHILD-EVENT ";

    [Fact(Explicit = true)]
    public async Task Upload()
    {
        string folder = Environment.GetEnvironmentVariable(FolderVariable) ?? throw new InvalidOperationException($"{FolderVariable} is not set: this test is the child of KilledUploadTests.");
        string file = Environment.GetEnvironmentVariable(FileVariable) ?? throw new InvalidOperationException($"{FileVariable} is not set.");
        using var stdout = Console.OpenStandardOutput();
        void Event(string what)
        {
            byte[] line = System.Text.Encoding.ASCII.GetBytes(EventPrefix + what + "\n");
            stdout.Write(line);
            stdout.Flush();
        }

        var test = await LockerUnderTest.OpenAsync(folder, StorageKind.FileSystem);
        await using var _ = test;
        Event("opened");
        await test.Locker.ForUser("alice").Uploads.UploadFileAsync(file, null, new SyncProgress(p => Event("stored " + p.BytesTransferred)), TestContext.Current.CancellationToken);
        Event("done");
    }
}
