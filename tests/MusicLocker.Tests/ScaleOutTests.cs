using System.Diagnostics;
using System.Security.Cryptography;
using MusicLocker.Crypto;
using MusicLocker.Metadata;
using MusicLocker.Metadata.Postgres;
using MusicLocker.Metadata.Tests.Servers;
using MusicLocker.Storage;
using MusicLocker.Storage.S3;
using MusicLocker.Storage.S3.Tests;
using MusicLocker.Testing;
using MusicLocker.Testing.Servers;
using MusicLocker.Testing.Storage;

namespace MusicLocker.Tests;

/// <summary>
/// Scale-out: four processes (tests/MusicLocker.ScaleOut.Worker, two lanes each) on one PostgreSQL database and one
/// s3rver bucket upload, delete and read the same three users' tracks at once. Afterwards, and after a sweep: every
/// upload reported successful is catalogued and reads back byte for byte unless a delete was reported for it; each
/// user's ledger equals the charges of the tracks catalogued, nothing stays reserved; and the objects under each user's
/// prefix are exactly the catalogued tracks' files and sidecars.
/// </summary>
public sealed class ScaleOutTests(PostgresServer postgres)
{
    private const int Processes = 4;
    private const int OperationsPerLane = 6;
    private static readonly string[] Users = ["ann", "bob", "cy"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Four_processes_on_one_database_and_bucket_lose_no_track_charge_nothing_twice_and_leave_no_orphan()
    {
        TestEnvironment.RequireServer(postgres.Available, postgres.UnavailableReason);
        string worker = WorkerPath();
        var s3 = await S3rverServer.GetSharedAsync();
        string bucket = await S3TestStores.CreateBucketAsync(s3);
        string database = await postgres.CreateDatabaseAsync("scaleout");
        using var folder = new TempFolder();
        string keyRing = Path.Combine(folder.Path, "keyring.json");
        (await LocalKeyRing.CreateAsync(new LocalKeyRingOptions { Path = keyRing }, Ct)).Dispose();
        string[] fixtures = ["mp3/id3v23-full.mp3", "mp3/big-cover.mp3", "mp3/mpeg25-mono-8k.mp3", "aac/lc-22k-mono.aac", "m4a/faststart-tagged.m4a"];
        var fixturePaths = fixtures.Select(f => Path.Combine(AudioFiles.Root, f)).ToArray();

        // The schema is migrated once here, so the workers start on a ready database (concurrent migration is the
        // metadata tests' concern).
        await using var metadata = await PostgresMetadataStore.OpenAsync(new PostgresMetadataStoreOptions { ConnectionString = database }, Ct);

        var started = Stopwatch.StartNew();
        var runs = Enumerable.Range(1, Processes)
            .Select(i => RunWorkerAsync(worker, [database, s3.ServiceUrl.ToString(), bucket, keyRing, string.Join(',', Users), string.Join(';', fixturePaths), OperationsPerLane.ToString(System.Globalization.CultureInfo.InvariantCulture), i.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            .ToList();
        var results = await Task.WhenAll(runs).WaitAsync(TimeSpan.FromMinutes(10), Ct); // bounded, generous: four .NET processes at load 70 took over 2 min

        foreach (var (exitCode, output, error) in results)
        {
            Assert.True(exitCode == 0, $"a worker exited with {exitCode}:\n{output}\n{error}");
        }

        var lines = results.SelectMany(r => r.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)).Select(l => l.Split(' ')).ToList();
        var deleted = lines.Where(l => l[0] is "deleted" or "gone").Select(l => Guid.Parse(l[2])).ToHashSet();
        var uploads = lines.Where(l => l[0] == "uploaded").ToList();
        Assert.True(uploads.Count >= Processes, $"too few uploads ran: {uploads.Count}");
        Assert.Contains(lines, l => l[0] == "deleted");
        Assert.Contains(lines, l => l[0] == "read");

        using var store = new PartLedgerBlobStore(new S3BlobStore(S3TestStores.Options(s3, bucket)));
        using (var ring = await LocalKeyRing.OpenAsync(new LocalKeyRingOptions { Path = keyRing }, Ct))
        {
            await using var locker = Locker.Create(store, metadata, ring, new MusicLockerOptions { PartSize = 16 * 1024 });
            await locker.SweepAsync(Ct);

            // No lost track: each reported upload not deleted since is catalogued, and a stored file reads back whole.
            foreach (var upload in uploads)
            {
                var user = locker.ForUser(upload[1]);
                var trackId = Guid.Parse(upload[2]);
                if (deleted.Contains(trackId))
                {
                    continue;
                }

                var download = new MemoryStream();
                await user.Downloads.DownloadToAsync(trackId, download, cancellationToken: Ct);
                if (upload[3] == nameof(UploadOutcome.Stored))
                {
                    Assert.Equal(upload[4], Convert.ToHexStringLower(SHA256.HashData(download.ToArray())));
                }
            }

            foreach (string userId in Users)
            {
                await AssertConsistentAsync(locker.ForUser(userId), metadata, store);
            }
        }

        TestContext.Current.SendDiagnosticMessage($"scale-out: {lines.Count} operations in {started.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>Ledger == charges of the catalogued tracks, nothing reserved, and the user's objects are exactly theirs.</summary>
    private static async Task AssertConsistentAsync(IUserLocker user, ILockerMetadataStore metadata, IBlobStore store)
    {
        var records = new List<TrackRecord>();
        await foreach (var record in metadata.Tracks.BrowseAsync(user.UserId, new TrackQuery { PageSize = 500 }, Ct))
        {
            records.Add(record);
        }

        var quota = await user.Quota.GetStatusAsync(Ct);
        Assert.Equal(records.Sum(r => r.ChargedBytes), quota.UsedBytes);
        Assert.Equal(0, quota.ReservedBytes);

        var expected = records.SelectMany(r => new[] { r.StorageKey, r.StorageKey + ".info" }).ToHashSet(StringComparer.Ordinal);
        var stored = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var item in store.ListAsync($"users/{user.UserId}/", Ct))
        {
            stored.Add(item.Key.Value);
        }

        Assert.Equal(expected.Order(StringComparer.Ordinal), stored.Order(StringComparer.Ordinal));
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunWorkerAsync(string worker, string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(worker);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        try
        {
            var output = process.StandardOutput.ReadToEndAsync(Ct);
            var error = process.StandardError.ReadToEndAsync(Ct);
            await process.WaitForExitAsync(Ct);
            return (process.ExitCode, await output, await error);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>The worker built beside this test assembly's configuration (the test project builds it first).</summary>
    private static string WorkerPath()
    {
        string configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        string path = Path.Combine(TestEnvironment.RepositoryRoot, "tests", "MusicLocker.ScaleOut.Worker", "bin", configuration, "net10.0", "scaleout-worker.dll");
        TestEnvironment.RequireServer(File.Exists(path), $"the scale-out worker is not built ({path})");
        return path;
    }
}
